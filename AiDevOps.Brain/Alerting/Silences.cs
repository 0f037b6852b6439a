using AiDevOps.Storage;
using AiDevOps.Storage.Query;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Quiet for what matches, for a while: a maintenance window when it starts later, a silence when it starts now.
/// Anomalies are still detected and recorded; only their notifications are held back, firing and resolved alike.
/// </summary>
/// <param name="Matchers">A Prometheus selector such as <c>{instance="db-1",job="node"}</c>; every matcher must accept the labels.</param>
public sealed record Silence(string Id, string Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string CreatedBy, string Comment)
{
    public bool IsActiveAt(DateTimeOffset now) => StartsAt <= now && now < EndsAt;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => PromQlParser.ParseSelector(Matchers).All(m => m.Matches(labels));
}

/// <summary>A tenant's silences, in the alert-configs table beside its routes; each is kept a week past its end.</summary>
public sealed class SilenceStore(IKeyValueTable table, IOptions<StorageOptions> options)
{
    private static readonly TimeSpan KeptAfterEnd = TimeSpan.FromDays(7);
    private readonly string _table = options.Value.AlertConfigsTable;

    public Task PutAsync(string tenant, Silence silence, CancellationToken ct) =>
        table.PutAsync(_table,
        [
            new StoredItem(Partition(tenant), silence.Id)
            {
                Attributes = new Dictionary<string, string>
                {
                    ["matchers"] = silence.Matchers,
                    ["startsAt"] = DataKeys.Instant(silence.StartsAt),
                    ["endsAt"] = DataKeys.Instant(silence.EndsAt),
                    ["createdBy"] = silence.CreatedBy,
                    ["comment"] = silence.Comment,
                },
                ExpiresAt = (silence.EndsAt + KeptAfterEnd).ToUnixTimeSeconds(),
            },
        ], ct);

    public async Task<IReadOnlyList<Silence>> ListAsync(string tenant, CancellationToken ct)
    {
        var silences = new List<Silence>();
        await foreach (var item in table.QueryAsync(_table, Partition(tenant), null, null, ct))
        {
            var a = item.Attributes;
            silences.Add(new Silence(item.Sort, a["matchers"], DataKeys.ParseInstant(a["startsAt"]), DataKeys.ParseInstant(a["endsAt"]),
                a["createdBy"], a["comment"]));
        }
        return silences;
    }

    private static string Partition(string tenant) => $"{tenant}|silences";
}
