using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Incidents;

/// <summary>
/// Incidents, one item each in their tenant's partition of the data table, written whole on every change (members,
/// timeline); and beside them, the channel's reference to the message each receiver got for an incident (a Telegram
/// message id), so a restarted Brain edits the message it sent before rather than sending another. Resolved
/// incidents are kept 30 days. An incident is stored as <see cref="CompressedJson"/>.
/// </summary>
public sealed class IncidentStore(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan ResolvedKept = TimeSpan.FromDays(30);
    private const string MessageAttribute = "message";
    private readonly string _table = options.Value.DataTable;

    public Task PutAsync(Incident incident, CancellationToken ct) => table.PutAsync(_table,
    [
        new StoredItem(DataKeys.Incidents(incident.Tenant), incident.Id)
        {
            Attributes = new Dictionary<string, string> { ["state"] = incident.State.ToString() },
            Data = CompressedJson.Write(incident),
            ExpiresAt = incident.IsOpen ? null : (clock.GetUtcNow() + ResolvedKept).ToUnixTimeSeconds(),
        },
    ], ct);

    public async Task<Incident?> GetAsync(string tenant, string id, CancellationToken ct) =>
        await table.GetAsync(_table, DataKeys.Incidents(tenant), id, ct) is { } item ? Read(item) : null;

    /// <summary>A tenant's incidents, newest first, optionally only the open (or acknowledged) ones.</summary>
    public async Task<IReadOnlyList<Incident>> ListAsync(string tenant, bool? open, int limit, CancellationToken ct)
    {
        var incidents = new List<Incident>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Incidents(tenant), null, null, ct))
        {
            var incident = Read(item);
            if (open is not { } wanted || incident.IsOpen == wanted)
                incidents.Add(incident);
        }
        return [.. incidents.OrderByDescending(i => i.Id, StringComparer.Ordinal).Take(limit)];
    }

    public Task SetMessageRefAsync(string tenant, string incidentId, string receiverId, string messageRef, CancellationToken ct) =>
        table.PutAsync(_table,
        [
            new StoredItem(DataKeys.IncidentMessages(tenant), $"{incidentId}|{receiverId}")
            {
                Attributes = new Dictionary<string, string> { [MessageAttribute] = messageRef },
                ExpiresAt = (clock.GetUtcNow() + ResolvedKept).ToUnixTimeSeconds(),
            },
        ], ct);

    public async Task<string?> GetMessageRefAsync(string tenant, string incidentId, string receiverId, CancellationToken ct) =>
        (await table.GetAsync(_table, DataKeys.IncidentMessages(tenant), $"{incidentId}|{receiverId}", ct))?.Attributes.GetValueOrDefault(MessageAttribute);

    private static Incident Read(StoredItem item) => CompressedJson.Read<Incident>(item.Data!);
}
