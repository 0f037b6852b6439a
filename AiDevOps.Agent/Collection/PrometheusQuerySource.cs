using System.Globalization;
using System.Text.Json;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>Runs instant PromQL queries that share one interval against a Prometheus HTTP API (<c>/api/v1/query</c>).</summary>
public sealed partial class PrometheusQuerySource(
    TimeSpan interval, IReadOnlyList<PromQuery> queries, HttpClient http, ILogger<PrometheusQuerySource> logger) : ISampleSource
{
    public string Name => NameFor(interval);

    public static string NameFor(TimeSpan interval) =>
        string.Create(CultureInfo.InvariantCulture, $"prometheus-every-{interval.TotalSeconds:0.###}s");

    public TimeSpan Interval => interval;

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
                return ParseVector(query.Name, json.RootElement);
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
    /// Reads an instant-query answer: <c>{"status":"success","data":{"resultType":"vector","result":[{"metric":{…},
    /// "value":[1700000000.123,"1"]}]}}</c>. Every result is stored under the query's name.
    /// </summary>
    internal static IReadOnlyList<SeriesSamples> ParseVector(string name, JsonElement root)
    {
        if (root.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException("Prometheus answered: " + (root.TryGetProperty("error", out var error) ? error.GetString() : "error"));
        var data = root.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
            throw new InvalidOperationException($"The query for {name} does not return an instant vector.");

        var series = new List<SeriesSamples>();
        foreach (var result in data.GetProperty("result").EnumerateArray())
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in result.GetProperty("metric").EnumerateObject())
                labels[label.Name] = label.Value.GetString() ?? "";
            labels[WellKnownLabels.MetricName] = name;

            var value = result.GetProperty("value");
            var timestamp = (long)Math.Round(value[0].GetDouble() * 1000);
            series.Add(new SeriesSamples(labels, [new SamplePoint(timestamp, ExpositionParser.ParseValue(value[1].GetString()!))]));
        }
        return series;
    }

    [LoggerMessage(LogLevel.Warning, "Prometheus query {Query} failed: {Reason}")]
    private partial void LogQueryFailed(string query, string reason);
}
