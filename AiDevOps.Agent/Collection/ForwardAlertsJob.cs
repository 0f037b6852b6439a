using System.Text.Json;
using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;
using Quartz;

namespace AiDevOps.Agent.Collection;

/// <summary>
/// Forwards Prometheus's firing alerts (<c>/api/v1/alerts</c>) to the Brain in Alertmanager's protocol, as
/// Prometheus itself does: every round re-sends what fires with an <c>endsAt</c> a few intervals ahead, so an alert
/// that stops firing, or an agent that goes away, resolves on its own. A failed round is simply the next one's job.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class ForwardAlertsJob(
    IHttpClientFactory clients, BrainClient brain, IOptions<AgentOptions> options, TimeProvider clock, ILogger<ForwardAlertsJob> logger) : IJob
{
    public static readonly JobKey Key = new("forward-prometheus-alerts", CollectJob.Group);

    /// <summary>As Prometheus: an alert is valid for four re-send periods.</summary>
    private const int ValidRounds = 4;

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            var http = clients.CreateClient(nameof(PrometheusQuerySource));
            using var response = await http.GetAsync("api/v1/alerts", cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var alerts = Firing(json.RootElement, clock.GetUtcNow() + ValidRounds * options.Value.Interval);
            if (alerts.Count > 0)
                await brain.PostAlertsAsync(alerts, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                  && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(e.Message);
        }
    }

    /// <summary>The firing alerts of a <c>/api/v1/alerts</c> answer (pending ones are not alerts yet).</summary>
    internal static IReadOnlyList<PostableAlert> Firing(JsonElement root, DateTimeOffset endsAt) =>
        root.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Where(a => a.GetProperty("state").GetString() == "firing")
            .Select(a => new PostableAlert(
                a.GetProperty("labels").Deserialize(AgentJson.Default.DictionaryStringString)!,
                a.TryGetProperty("annotations", out var annotations) ? annotations.Deserialize(AgentJson.Default.DictionaryStringString) : null,
                a.TryGetProperty("activeAt", out var activeAt) ? activeAt.GetDateTimeOffset() : null,
                endsAt,
                null))
            .ToList();

    [LoggerMessage(LogLevel.Warning, "Forwarding Prometheus alerts failed this round: {Reason}")]
    private partial void LogFailed(string reason);
}
