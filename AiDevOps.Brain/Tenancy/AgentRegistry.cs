using System.Globalization;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// An agent's last delivery, its usual gap between deliveries once it has a pace, and when it said goodbye at a
/// planned shutdown (null once it delivered again).
/// </summary>
public sealed record AgentStatus(string Id, DateTimeOffset LastSeen, long LastSamples, TimeSpan? UsualGap, DateTimeOffset? DepartedAt = null,
    string? Version = null, long? QueuedSamples = null);

/// <summary>What an agent said of itself with a delivery (<see cref="AgentHeaders"/>); either is null when it did not say.</summary>
public sealed record AgentReport(string? Version, long? QueuedSamples);

/// <summary>When each agent last delivered, how often it does and whether it left on purpose, so a silent agent is noticed (and a departed one is not) across restarts.</summary>
public sealed class AgentRegistry(IKeyValueTable table, IOptions<StorageOptions> options)
{
    private const string LastSeen = "lastSeen";
    private const string LastSamples = "lastSamples";
    private const string UsualGap = "usualGapMs";
    private const string DepartedAt = "departedAt";
    private const string Version = "version";
    private const string QueuedSamples = "queuedSamples";

    private readonly string _table = options.Value.DataTable;

    /// <summary>A delivery replaces the agent's item whole, so it also clears an earlier goodbye.</summary>
    public Task RecordDeliveryAsync(AgentIdentity agent, DateTimeOffset at, int samples, TimeSpan? usualGap, AgentReport report, CancellationToken ct)
    {
        var attributes = new Dictionary<string, string>
        {
            [LastSeen] = DataKeys.Instant(at),
            [LastSamples] = samples.ToString(CultureInfo.InvariantCulture),
        };
        if (usualGap is { } gap)
            attributes[UsualGap] = ((long)gap.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        if (report.Version is { } version)
            attributes[Version] = version;
        if (report.QueuedSamples is { } queued)
            attributes[QueuedSamples] = queued.ToString(CultureInfo.InvariantCulture);
        return table.PutAsync(_table, [new StoredItem(DataKeys.Agents(agent.Tenant), agent.AgentId) { Attributes = attributes }], ct);
    }

    public async Task RecordDepartureAsync(AgentIdentity agent, DateTimeOffset at, CancellationToken ct)
    {
        var stored = await table.GetAsync(_table, DataKeys.Agents(agent.Tenant), agent.AgentId, ct);
        var attributes = stored is null
            ? new Dictionary<string, string> { [LastSeen] = DataKeys.Instant(at), [LastSamples] = "0" }
            : new Dictionary<string, string>(stored.Attributes);
        attributes[DepartedAt] = DataKeys.Instant(at);
        await table.PutAsync(_table, [new StoredItem(DataKeys.Agents(agent.Tenant), agent.AgentId) { Attributes = attributes }], ct);
    }

    public async Task<IReadOnlyList<AgentStatus>> ListAsync(string tenant, CancellationToken ct)
    {
        var agents = new List<AgentStatus>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Agents(tenant), null, null, ct))
        {
            var a = item.Attributes;
            agents.Add(new AgentStatus(
                item.Sort,
                DataKeys.ParseInstant(a[LastSeen]),
                long.Parse(a[LastSamples], CultureInfo.InvariantCulture),
                a.TryGetValue(UsualGap, out var gap) ? TimeSpan.FromMilliseconds(long.Parse(gap, CultureInfo.InvariantCulture)) : null,
                a.TryGetValue(DepartedAt, out var departed) ? DataKeys.ParseInstant(departed) : null,
                a.GetValueOrDefault(Version),
                a.TryGetValue(QueuedSamples, out var queued) ? long.Parse(queued, CultureInfo.InvariantCulture) : null));
        }
        return agents;
    }
}
