using System.Globalization;
using AiDevOps.Brain.Ingest;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

public sealed record AgentStatus(string Id, DateTimeOffset LastSeen, long LastSamples);

/// <summary>When each agent last delivered, so a silent agent is visible.</summary>
public sealed class AgentRegistry(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    private readonly string _table = options.Value.DataTable;

    public Task RecordDeliveryAsync(AgentIdentity agent, DateTimeOffset at, int samples, CancellationToken ct) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                [DataKeys.PartitionKey] = new(DataKeys.Agents(agent.Tenant)),
                [DataKeys.SortKey] = new(agent.AgentId),
                ["lastSeen"] = new() { N = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                ["lastSamples"] = new() { N = samples.ToString(CultureInfo.InvariantCulture) },
            },
        }, ct);

    public async Task<IReadOnlyList<AgentStatus>> ListAsync(string tenant, CancellationToken ct)
    {
        var agents = new List<AgentStatus>();
        await foreach (var item in dynamo.QueryPartitionAsync(_table, DataKeys.Agents(tenant), int.MaxValue, ct))
        {
            agents.Add(new AgentStatus(
                item[DataKeys.SortKey].S!,
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(item["lastSeen"].N!, CultureInfo.InvariantCulture)),
                long.Parse(item["lastSamples"].N!, CultureInfo.InvariantCulture)));
        }
        return agents;
    }
}
