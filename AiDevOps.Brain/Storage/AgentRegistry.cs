using System.Globalization;
using AiDevOps.Brain.Ingest;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>An agent's last delivery and, once it has a pace, its usual gap between deliveries.</summary>
public sealed record AgentStatus(string Id, DateTimeOffset LastSeen, long LastSamples, TimeSpan? UsualGap);

/// <summary>When each agent last delivered and how often it does, so a silent agent is noticed even across restarts.</summary>
public sealed class AgentRegistry(IKeyValueTable table, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.DataTable;

    public Task RecordDeliveryAsync(AgentIdentity agent, DateTimeOffset at, int samples, TimeSpan? usualGap, CancellationToken ct)
    {
        var attributes = new Dictionary<string, string>
        {
            ["lastSeen"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["lastSamples"] = samples.ToString(CultureInfo.InvariantCulture),
        };
        if (usualGap is { } gap)
            attributes["usualGapMs"] = ((long)gap.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return table.PutAsync(_table, [new StoredItem(DataKeys.Agents(agent.Tenant), agent.AgentId) { Attributes = attributes }], ct);
    }

    public async Task<IReadOnlyList<AgentStatus>> ListAsync(string tenant, CancellationToken ct)
    {
        var agents = new List<AgentStatus>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Agents(tenant), null, null, ct))
        {
            agents.Add(new AgentStatus(
                item.Sort,
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(item.Attributes["lastSeen"], CultureInfo.InvariantCulture)),
                long.Parse(item.Attributes["lastSamples"], CultureInfo.InvariantCulture),
                item.Attributes.TryGetValue("usualGapMs", out var gap) ? TimeSpan.FromMilliseconds(long.Parse(gap, CultureInfo.InvariantCulture)) : null));
        }
        return agents;
    }
}
