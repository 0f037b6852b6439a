using System.Diagnostics;
using System.Net.Http.Headers;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Scrapes one exposition endpoint directly and, as Prometheus does, adds <c>up</c> (1 when the scrape worked,
/// else 0) and <c>scrape_duration_seconds</c>.
/// </summary>
public sealed partial class ScrapeSource(
    ScrapeTarget target, TimeSpan interval, TimeSpan timeout, HttpClient http, ILogger<ScrapeSource> logger) : ISampleSource
{
    public string Name => NameFor(target);

    public static string NameFor(ScrapeTarget target) => $"scrape-{target.Job}-{target.Url}";

    public TimeSpan Interval => interval;

    /// <summary>The labels of every series of the target, <c>up</c> among them.</summary>
    public static Dictionary<string, string> TargetLabels(ScrapeTarget target) => new()
    {
        [WellKnownLabels.Job] = target.Job,
        [WellKnownLabels.Instance] = string.IsNullOrEmpty(target.Instance) ? new Uri(target.Url).Authority : target.Instance,
    };

    public async Task<IReadOnlyList<SeriesSamples>> CollectAsync(DateTimeOffset now, CancellationToken ct)
    {
        var url = new Uri(target.Url);
        var targetLabels = TargetLabels(target);
        var timestamp = now.ToUnixTimeMilliseconds();
        var stopwatch = Stopwatch.StartNew();
        var series = new List<SeriesSamples>();
        var up = 0.0;
        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=1,*/*;q=0.1");
            if (target.BearerToken is { Length: > 0 } token)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            response.EnsureSuccessStatusCode();
            using var body = await ScrapeBody.ReadAsync(response.Content, timeoutSource.Token);
            var openMetrics = response.Content.Headers.ContentType?.MediaType == ExpositionParser.OpenMetricsContentType;
            var parsed = ExpositionParser.Parse(body.Text, timestamp, targetLabels, openMetrics);
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
