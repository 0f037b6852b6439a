using System.Globalization;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

public enum OutboxState
{
    Pending,
    Delivered,

    /// <summary>The channel refused it for good (a bad chat, a revoked token): kept for people to see, never retried.</summary>
    DeadLettered,

    /// <summary>An edit a newer edit of the same incident to the same receiver made needless before it was sent.</summary>
    Superseded,
}

/// <summary>
/// One notification of an incident to one receiver, stored before it is sent, with the incident as it was then.
/// <see cref="Id"/> sorts in the order the changes happened (by time, then by the incident's version), which is the
/// order a receiver's queue delivers them in.
/// </summary>
public sealed record OutboxEntry(
    string Tenant,
    string Id,
    string ReceiverId,
    NotificationKind Kind,
    Incident Incident,
    OutboxState State = OutboxState.Pending,
    int Attempts = 0,
    string? LastError = null)
{
    public static OutboxEntry For(string receiverId, IncidentUpdate update, DateTimeOffset at) => new(
        update.Incident.Tenant,
        $"{DataKeys.Time(at.ToUnixTimeMilliseconds())}|{update.Incident.Id}|{update.Incident.Version:D6}|{receiverId}",
        receiverId,
        update.Kind,
        update.Incident);

    public Notification Notification(string? messageRef) => new(Kind, Incident, messageRef);
}

/// <summary>
/// The durable outbox of notifications, one partition per tenant in the data table: an entry is written before its
/// first attempt and marked after its last, so a Brain stopped mid-delivery sends on after its restart and nothing a
/// detector raised is lost to a slow channel. Delivered entries are kept a week, dead letters a month, for the API.
/// </summary>
public sealed class NotificationOutbox(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan DeliveredKept = TimeSpan.FromDays(7);
    private static readonly TimeSpan DeadLettersKept = TimeSpan.FromDays(30);
    private readonly string _table = options.Value.DataTable;

    public Task AddAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken ct) =>
        entries.Count == 0 ? Task.CompletedTask : table.PutAsync(_table, [.. entries.Select(ToItem)], ct);

    public Task UpdateAsync(OutboxEntry entry, CancellationToken ct) => table.PutAsync(_table, [ToItem(entry)], ct);

    /// <summary>A tenant's entries in the order they were raised, optionally of one state only.</summary>
    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string tenant, OutboxState? state, CancellationToken ct)
    {
        var entries = new List<OutboxEntry>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Outbox(tenant), null, null, ct))
        {
            var entry = ToEntry(tenant, item);
            if (state is not { } wanted || entry.State == wanted)
                entries.Add(entry);
        }
        return entries;
    }

    private StoredItem ToItem(OutboxEntry entry)
    {
        var attributes = new Dictionary<string, string>
        {
            ["receiver"] = entry.ReceiverId,
            ["kind"] = entry.Kind.ToString(),
            ["state"] = entry.State.ToString(),
            ["attempts"] = entry.Attempts.ToString(CultureInfo.InvariantCulture),
        };
        if (entry.LastError is not null)
            attributes["error"] = entry.LastError;
        var kept = entry.State switch
        {
            OutboxState.Pending => (TimeSpan?)null,
            OutboxState.DeadLettered => DeadLettersKept,
            _ => DeliveredKept,
        };
        return new StoredItem(DataKeys.Outbox(entry.Tenant), entry.Id)
        {
            Attributes = attributes,
            Data = CompressedJson.Write(entry.Incident),
            ExpiresAt = kept is { } keep ? (clock.GetUtcNow() + keep).ToUnixTimeSeconds() : null,
        };
    }

    private static OutboxEntry ToEntry(string tenant, StoredItem item)
    {
        var a = item.Attributes;
        return new OutboxEntry(
            tenant,
            item.Sort,
            a["receiver"],
            Enum.Parse<NotificationKind>(a["kind"]),
            CompressedJson.Read<Incident>(item.Data!),
            Enum.Parse<OutboxState>(a["state"]),
            int.Parse(a["attempts"], CultureInfo.InvariantCulture),
            a.GetValueOrDefault("error"));
    }
}
