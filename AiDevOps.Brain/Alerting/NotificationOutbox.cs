using System.Globalization;
using System.Text.Json;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

public enum OutboxState
{
    Pending,
    Delivered,

    /// <summary>The channel refused it for good (a bad chat, a revoked token): kept for people to see, never retried.</summary>
    DeadLettered,
}

/// <summary>
/// One notification to one receiver, stored before it is sent. <see cref="Id"/> sorts in the order the changes
/// happened (a resolve after its firing), which is the order a receiver's queue delivers them in.
/// </summary>
public sealed record OutboxEntry(
    string Tenant,
    string Id,
    string ReceiverId,
    NotificationStatus Status,
    Anomaly Anomaly,
    OutboxState State = OutboxState.Pending,
    int Attempts = 0,
    string? LastError = null)
{
    public static OutboxEntry For(Receiver receiver, Notification notification, DateTimeOffset at) => new(
        notification.Anomaly.Series.Tenant,
        $"{DataKeys.Time(at.ToUnixTimeMilliseconds())}.{(int)notification.Status}|{notification.Anomaly.Id}|{receiver.Id}",
        receiver.Id,
        notification.Status,
        notification.Anomaly);

    public Notification Notification => new(Status, Anomaly);
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
            ["status"] = entry.Status.ToString(),
            ["state"] = entry.State.ToString(),
            ["attempts"] = entry.Attempts.ToString(CultureInfo.InvariantCulture),
            ["anomaly"] = JsonSerializer.Serialize(entry.Anomaly),
        };
        if (entry.LastError is not null)
            attributes["error"] = entry.LastError;
        var kept = entry.State switch
        {
            OutboxState.Delivered => DeliveredKept,
            OutboxState.DeadLettered => DeadLettersKept,
            _ => (TimeSpan?)null,
        };
        return new StoredItem(DataKeys.Outbox(entry.Tenant), entry.Id)
        {
            Attributes = attributes,
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
            Enum.Parse<NotificationStatus>(a["status"]),
            JsonSerializer.Deserialize<Anomaly>(a["anomaly"])!,
            Enum.Parse<OutboxState>(a["state"]),
            int.Parse(a["attempts"], CultureInfo.InvariantCulture),
            a.GetValueOrDefault("error"));
    }
}
