using System.Globalization;
using AiDevOps.Brain.Ingest;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

public sealed record AgentStatus(string Id, DateTimeOffset LastSeen, long LastSamples);

/// <summary>When each agent last delivered, so a silent agent is visible.</summary>
public sealed class AgentRegistry(IKeyValueTable table, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.DataTable;

    public Task RecordDeliveryAsync(AgentIdentity agent, DateTimeOffset at, int samples, CancellationToken ct) =>
        table.PutAsync(_table,
        [
            new StoredItem(DataKeys.Agents(agent.Tenant), agent.AgentId)
            {
                Attributes = new Dictionary<string, string>
                {
                    ["lastSeen"] = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    ["lastSamples"] = samples.ToString(CultureInfo.InvariantCulture),
                },
            },
        ], ct);

    public async Task<IReadOnlyList<AgentStatus>> ListAsync(string tenant, CancellationToken ct)
    {
        var agents = new List<AgentStatus>();
        await foreach (var item in table.QueryAsync(_table, DataKeys.Agents(tenant), null, null, ct))
        {
            agents.Add(new AgentStatus(
                item.Sort,
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(item.Attributes["lastSeen"], CultureInfo.InvariantCulture)),
                long.Parse(item.Attributes["lastSamples"], CultureInfo.InvariantCulture)));
        }
        return agents;
    }
}
