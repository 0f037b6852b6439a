using System.Text.Json;
using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using Quartz;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// A scrape sees a dead target only at its next round, up to a whole interval later, and a Prometheus beside the
/// Agent adds its own interval on top. So every <c>Agent:Liveness:Interval</c> (1 s) the probe asks each scrape
/// target (the Agent's own, and the active targets Prometheus reports at <c>/api/v1/targets</c>) whether its HTTP
/// server still answers, with a HEAD of its root, which costs an exporter next to nothing. It reports changes only,
/// as the target's <c>up</c> series, at once: a target that stops answering gets <c>up = 0</c>; one that answers again
/// is scraped at once (the Agent's own target) or its scrape URL is fetched once and, when that works, gets
/// <c>up = 1</c>. The first answer of a target only sets where it stands, so a target the Agent cannot reach but its
/// Prometheus can never makes the probe say anything.
/// </summary>
public sealed partial class LivenessProbe(
    IOptions<LivenessOptions> options,
    IOptions<AgentOptions> agent,
    IOptions<ScrapeSourceOptions> scrape,
    IOptions<PrometheusSourceOptions> prometheus,
    IHttpClientFactory clients,
    ISchedulerFactory schedulers,
    Outbox outbox,
    TimeProvider clock,
    ILogger<LivenessProbe> logger) : BackgroundService
{
    public const string SourceName = "liveness";

    /// <summary>A target to probe, named by the labels of its <c>up</c> series; its own scrape job when the Agent scrapes it.</summary>
    internal sealed record Target(string Key, Uri ScrapeUrl, IReadOnlyDictionary<string, string> Labels, JobKey? ScrapeJob);

    private readonly Dictionary<string, bool> _answering = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var own = scrape.Value.Targets.Where(t => HttpUrl.IsValid(t.Url)).Select(OwnTarget).ToList();
        var prometheusUrl = HttpUrl.IsValid(prometheus.Value.Url) ? prometheus.Value.Url : null;
        if (!settings.Enabled || (own.Count == 0 && prometheusUrl is null))
            return;

        IReadOnlyList<Target> discovered = [];
        var discoveredAt = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(settings.Interval, clock);
        try
        {
            do
            {
                // Targets change rarely: asking Prometheus once per collection interval is enough, once it answered.
                if (prometheusUrl is not null && clock.GetUtcNow() - discoveredAt >= agent.Value.Interval
                    && await DiscoverAsync(stoppingToken) is { } targets)
                {
                    discovered = targets;
                    discoveredAt = clock.GetUtcNow();
                }
                await ProbeAsync([.. own, .. discovered], stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static Target OwnTarget(ScrapeTarget target)
    {
        var labels = ScrapeSource.TargetLabels(target);
        return new Target(KeyOf(labels), new Uri(target.Url), labels, new JobKey(ScrapeSource.NameFor(target), CollectJob.Group));
    }

    private async Task ProbeAsync(IReadOnlyList<Target> targets, CancellationToken ct)
    {
        targets = targets.DistinctBy(t => t.Key).ToList();
        var answers = await Task.WhenAll(targets.Select(t => AnswersAsync(t, ct)));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var changes = new List<SeriesSamples>();
        for (var i = 0; i < targets.Count; i++)
        {
            var (target, answering) = (targets[i], answers[i]);
            var known = _answering.TryGetValue(target.Key, out var was);
            _answering[target.Key] = answering;
            if (!known || was == answering)
                continue;
            if (!answering)
            {
                LogStopped(target.ScrapeUrl.Authority, target.Key);
                changes.Add(Up(target, 0, now));
            }
            else if (target.ScrapeJob is { } job)
            {
                LogBack(target.ScrapeUrl.Authority, target.Key);
                await (await schedulers.GetScheduler(ct)).TriggerJob(job, ct);
            }
            else if (await ScrapesAsync(target, ct))
            {
                LogBack(target.ScrapeUrl.Authority, target.Key);
                changes.Add(Up(target, 1, clock.GetUtcNow().ToUnixTimeMilliseconds()));
            }
        }
        foreach (var gone in _answering.Keys.Except(targets.Select(t => t.Key)).ToList())
            _answering.Remove(gone);
        if (changes.Count > 0)
            outbox.Enqueue(changes, SourceName);
    }

    private async Task<bool> AnswersAsync(Target target, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        // Not traced: a span per target every second would bury the Agent's real work in its traces.
        using var untraced = SuppressInstrumentationScope.Begin();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(target.ScrapeUrl, "/"));
            using var response = await clients.CreateClient(nameof(LivenessProbe))
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            // Any answer below 500 comes from the target's own server; a 5xx most often from a proxy before a dead one.
            return (int)response.StatusCode < 500;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Whether a target Prometheus scrapes answers its scrape again: only then is it up.</summary>
    private async Task<bool> ScrapesAsync(Target target, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(scrape.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(nameof(LivenessProbe))
                .GetAsync(target.ScrapeUrl, HttpCompletionOption.ResponseContentRead, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<Target>?> DiscoverAsync(CancellationToken ct)
    {
        try
        {
            using var response = await clients.CreateClient(nameof(PrometheusQuerySource)).GetAsync("api/v1/targets?state=active", ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            return ActiveTargets(json.RootElement);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or TaskCanceledException
                                  && !ct.IsCancellationRequested)
        {
            LogDiscoveryFailed(e.Message);
            return null;
        }
    }

    /// <summary>
    /// The active targets of a <c>/api/v1/targets</c> answer, each with its target labels: exactly the labels of
    /// the <c>up</c> series Prometheus writes for it, so the probe's <c>up</c> is the same series.
    /// </summary>
    internal static IReadOnlyList<Target> ActiveTargets(JsonElement root) =>
        root.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => (Labels: t.GetProperty("labels").Deserialize(AgentJson.Default.DictionaryStringString)!, Url: t.GetProperty("scrapeUrl").GetString()))
            .Where(t => HttpUrl.IsValid(t.Url))
            .Select(t => new Target(KeyOf(t.Labels), new Uri(t.Url!), t.Labels, null))
            .ToList();

    private static string KeyOf(IReadOnlyDictionary<string, string> labels) =>
        string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={JsonSerializer.Serialize(l.Value, AgentJson.Default.String)}"));

    private static SeriesSamples Up(Target target, double value, long timestamp) =>
        new(new Dictionary<string, string>(target.Labels) { [WellKnownLabels.MetricName] = "up" }, [new SamplePoint(timestamp, value)]);

    [LoggerMessage(LogLevel.Information, "Target {Address} ({Labels}) stops answering: up = 0 sent now")]
    private partial void LogStopped(string address, string labels);

    [LoggerMessage(LogLevel.Information, "Target {Address} ({Labels}) answers again")]
    private partial void LogBack(string address, string labels);

    [LoggerMessage(LogLevel.Warning, "Reading Prometheus's targets failed: {Reason}")]
    private partial void LogDiscoveryFailed(string reason);
}
