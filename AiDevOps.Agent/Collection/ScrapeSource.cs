using System.Diagnostics;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Scrapes exposition endpoints directly and, as Prometheus does, adds <c>up</c> (1 when the scrape worked, else 0)
/// and <c>scrape_duration_seconds</c> for every target.
/// </summary>
public sealed partial class ScrapeSource(HttpClient http, IOptions<ScrapeSourceOptions> options, ILogger<ScrapeSource> logger) : ISampleSource
{
    public string Name => "scrape";

    public async Task<IReadOnlyList<SeriesSamples>> CollectAsync(DateTimeOffset now, CancellationToken ct)
    {
        var results = await Task.WhenAll(options.Value.Targets.Select(target => ScrapeAsync(target, now, ct)));
        return results.SelectMany(r => r).ToList();
    }

    private async Task<IReadOnlyList<SeriesSamples>> ScrapeAsync(ScrapeTarget target, DateTimeOffset now, CancellationToken ct)
    {
        var url = new Uri(target.Url);
        var targetLabels = new Dictionary<string, string>
        {
            [WellKnownLabels.Job] = target.Job,
            [WellKnownLabels.Instance] = url.Authority,
        };
        var timestamp = now.ToUnixTimeMilliseconds();
        var stopwatch = Stopwatch.StartNew();
        var series = new List<SeriesSamples>();
        var up = 0.0;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/plain;version=0.0.4;q=1,*/*;q=0.1");
            using var response = await http.SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var parsed = ExpositionParser.Parse(text, timestamp, targetLabels);
            series.AddRange(parsed.Series);
            if (parsed.SkippedLines > 0)
                LogSkipped(target.Url, parsed.SkippedLines);
            up = 1;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogScrapeFailed(target.Url, e.Message);
        }
        series.Add(Synthetic("up", up, timestamp, targetLabels));
        series.Add(Synthetic("scrape_duration_seconds", stopwatch.Elapsed.TotalSeconds, timestamp, targetLabels));
        return series;
    }

    private static SeriesSamples Synthetic(string metric, double value, long timestamp, Dictionary<string, string> targetLabels) =>
        new(new Dictionary<string, string>(targetLabels) { [WellKnownLabels.MetricName] = metric }, [new SamplePoint(timestamp, value)]);

    [LoggerMessage(LogLevel.Warning, "Scrape of {Target} failed: {Reason}")]
    private partial void LogScrapeFailed(string target, string reason);

    [LoggerMessage(LogLevel.Debug, "Scrape of {Target} skipped {Lines} lines that did not parse")]
    private partial void LogSkipped(string target, int lines);
}
