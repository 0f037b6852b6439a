using AiDevOps.Web.Brain;

namespace AiDevOps.Web.Charts;

/// <summary>
/// How anomalous each host has been: for each step of a range, how many of its series were in an anomaly at some time
/// during the step before it (so a short one still counts). A host
/// is the <c>instance</c> label (else <c>host</c>, else the agent's <c>job</c>); the busiest hosts are drawn first.
/// </summary>
public static class AnomalyRate
{
    public const int MaxHosts = 8;

    public static ChartData PerHost(IReadOnlyList<AnomalyView> anomalies, TimeRange range, int height = 220)
    {
        var step = range.Step.TotalSeconds;
        var start = range.Start.ToUnixTimeSeconds();
        var count = (int)((range.End.ToUnixTimeSeconds() - start) / step) + 1;
        var times = Enumerable.Range(0, count).Select(i => start + i * step).ToArray();
        var hosts = anomalies
            .Where(a => a.OpenedAt <= range.End && (a.ResolvedAt ?? DateTimeOffset.MaxValue) >= range.Start - range.Step)
            .GroupBy(a => Host(a.Labels))
            .Select(host =>
            {
                var values = new double?[count];
                for (var i = 0; i < count; i++)
                {
                    var end = DateTimeOffset.FromUnixTimeSeconds((long)times[i]);
                    var start = end - range.Step;
                    values[i] = host.Count(a => a.OpenedAt < end && (a.ResolvedAt ?? DateTimeOffset.MaxValue) > start);
                }
                return new ChartSeries(host.Key, values);
            })
            .OrderByDescending(s => s.Values.Sum())
            .ThenBy(s => s.Label, StringComparer.Ordinal)
            .Take(MaxHosts)
            .ToList();
        return new ChartData(times, hosts, Height: height, Stepped: true);
    }

    public static string Host(IReadOnlyDictionary<string, string> labels) =>
        labels.GetValueOrDefault("instance") ?? labels.GetValueOrDefault("host") ?? labels.GetValueOrDefault("job") ?? "(no host label)";
}
