using System.Globalization;
using System.Text.Json;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>Runs PromQL queries that share one interval against a Prometheus HTTP API (<c>/api/v1/query</c>).</summary>
public sealed partial class PrometheusQuerySource(
    TimeSpan interval, IReadOnlyList<PromQuery> queries, HttpClient http, ILogger<PrometheusQuerySource> logger) : ISampleSource
{
    public string Name => NameFor(interval);

    public static string NameFor(TimeSpan interval) =>
        string.Create(CultureInfo.InvariantCulture, $"prometheus-every-{interval.TotalSeconds:0.###}s");

    public TimeSpan Interval => interval;

    // Per query, per series: the newest sample of a range result already forwarded. Rounds of one source never overlap.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, long>> _forwarded = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<SeriesSamples>> CollectAsync(DateTimeOffset now, CancellationToken ct)
    {
        var time = (now.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var results = await Task.WhenAll(queries.Select(async query =>
        {
            try
            {
                var url = $"api/v1/query?query={Uri.EscapeDataString(query.Expr)}&time={time}";
                using var response = await http.GetAsync(url, ct);
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
                return NotForwarded(query.Name, ParseResult(query.Name, json.RootElement));
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or FormatException or InvalidOperationException or TaskCanceledException
                                      && !ct.IsCancellationRequested)
            {
                LogQueryFailed(query.Name, e.Message);
                return [];
            }
        }));
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>
    /// Reads an instant-query answer. A vector (<c>{"resultType":"vector","result":[{"metric":{…},
    /// "value":[1700000000.123,"1"]}]}</c>) holds one value per series, stamped with the query's time. A matrix (a
    /// range selector such as <c>up[5m]</c>: <c>"values":[[t,"v"],…]</c>) holds the samples as they were scraped, at
    /// their own times. Every result is stored under the query's name.
    /// </summary>
    internal static IReadOnlyList<SeriesSamples> ParseResult(string name, JsonElement root)
    {
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException("Prometheus answered: " + (root.TryGetProperty("error", out var error) ? error.GetString() : "error"));
        var data = root.GetProperty("data");
        var matrix = data.GetProperty("resultType").GetString() switch
        {
            "vector" => false,
            "matrix" => true,
            _ => throw new InvalidOperationException($"The query for {name} returns neither an instant vector nor a range vector."),
        };

        var series = new List<SeriesSamples>();
        foreach (var result in data.GetProperty("result").EnumerateArray())
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in result.GetProperty("metric").EnumerateObject())
                labels[label.Name] = label.Value.GetString() ?? "";
            labels[WellKnownLabels.MetricName] = name;
            var samples = matrix
                ? result.GetProperty("values").EnumerateArray().Select(Sample).ToList()
                : [Sample(result.GetProperty("value"))];
            series.Add(new SeriesSamples(labels, samples));
        }
        return series;
    }

    private static SamplePoint Sample(JsonElement pair) =>
        new((long)Math.Round(pair[0].GetDouble() * 1000), ExpositionParser.ParseValue(pair[1].GetString()!));

    /// <summary>
    /// Drops the samples of a range result that an earlier round already forwarded (a range overlaps the last one by
    /// design, so no scrape falls between two rounds), and remembers each series' newest sample for the next round.
    /// Only the series of this answer are remembered: one that left the range brings nothing older back.
    /// </summary>
    private List<SeriesSamples> NotForwarded(string query, IReadOnlyList<SeriesSamples> series)
    {
        var previous = _forwarded.GetValueOrDefault(query) ?? [];
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        var fresh = new List<SeriesSamples>();
        foreach (var s in series)
        {
            var key = string.Join(',', s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
            var after = previous.GetValueOrDefault(key, long.MinValue);
            var samples = s.Samples.Where(p => p.Timestamp > after).ToList();
            newest[key] = samples.Count > 0 ? samples.Max(p => p.Timestamp) : after;
            if (samples.Count > 0)
                fresh.Add(s with { Samples = samples });
        }
        _forwarded[query] = newest;
        return fresh;
    }

    [LoggerMessage(LogLevel.Warning, "Prometheus query {Query} failed: {Reason}")]
    private partial void LogQueryFailed(string query, string reason);
}
