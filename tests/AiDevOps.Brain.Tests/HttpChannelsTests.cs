using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// The Brain with a loopback Slack webhook, PagerDuty Events API and Alertmanager webhook receiver, and every log
/// line kept, HttpClient's own request logs included (the service defaults keep them off; here they are on, so a
/// client that logged its URL would show).
/// </summary>
public sealed class HttpChannelsBrainFactory : BrainFactory
{
    public const string ExternalUrl = "https://brain.example.com";

    public FakeSlackWebhook Slack { get; private set; } = null!;
    public FakePagerDutyEvents PagerDuty { get; private set; } = null!;
    public FakeWebhookReceiver Webhook { get; private set; } = null!;

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    protected override async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var storage = await base.StartStorageAsync(settings);
        Slack = await FakeSlackWebhook.StartAsync();
        PagerDuty = await FakePagerDutyEvents.StartAsync();
        Webhook = await FakeWebhookReceiver.StartAsync();
        settings["PagerDuty:ApiBaseUrl"] = PagerDuty.BaseUrl.ToString();
        settings["Webhook:ExternalUrl"] = ExternalUrl;
        return Together(storage, Slack, PagerDuty, Webhook);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddFakeLogging().AddFilter("System.Net.Http.HttpClient", LogLevel.Trace));
    }
}

public sealed class HttpChannelsTests(HttpChannelsBrainFactory brain) : IClassFixture<HttpChannelsBrainFactory>
{
    private const string RoutingKey = "E2ER0UT1NGK3Y0000000000000000042";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_Prometheus_alert_reaches_Slack_PagerDuty_and_a_webhook_and_so_does_its_resolve_without_a_secret_in_logs_or_traces()
    {
        var traced = new ConcurrentQueue<string>();
        using var listener = TraceHttpRequests(traced);
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        foreach (var (channel, address, secret) in new[]
        {
            ("slack", "#ops", brain.Slack.WebhookUrl.ToString()),
            ("pagerduty", "database on-call", RoutingKey),
            ("webhook", "on-call bridge", brain.Webhook.Url.ToString()),
        })
        {
            using var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel, address, secret });
            created.EnsureSuccessStatusCode();
        }

        var alert = new PostableAlert(
            new Dictionary<string, string> { ["alertname"] = "ReplicationLag", ["instance"] = "db-2", ["severity"] = "page" },
            new Dictionary<string, string> { ["summary"] = "Replica db-2 is 5 minutes behind." },
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(3), null);
        using var posted = await client.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        posted.EnsureSuccessStatusCode();

        var slackFiring = await brain.Slack.Requests.WaitForAsync(r => Text(r).StartsWith("🔴 Alert ReplicationLag", StringComparison.Ordinal), Patience);
        var trigger = await brain.PagerDuty.Requests.WaitForAsync(r => r.Json.GetProperty("event_action").GetString() == "trigger", Patience);
        var webhookFiring = await brain.Webhook.Requests.WaitForAsync(r => r.Json.GetProperty("status").GetString() == "firing", Patience);
        Assert.Equal(200, slackFiring.AnsweredStatus);
        Assert.Equal((202, "critical"), (trigger.AnsweredStatus, trigger.Json.GetProperty("payload").GetProperty("severity").GetString()));
        Assert.Equal("Replica db-2 is 5 minutes behind.", webhookFiring.Json.GetProperty("commonAnnotations").GetProperty("description").GetString());

        // endsAt passes: the alert resolves, and each channel hears it.
        await brain.Slack.Requests.WaitForAsync(r => Text(r).StartsWith("✅ Resolved: Alert ReplicationLag", StringComparison.Ordinal), Patience);
        var resolve = await brain.PagerDuty.Requests.WaitForAsync(r => r.Json.GetProperty("event_action").GetString() == "resolve", Patience);
        var webhookResolved = await brain.Webhook.Requests.WaitForAsync(r => r.Json.GetProperty("status").GetString() == "resolved", Patience);
        Assert.Equal(trigger.Json.GetProperty("dedup_key").GetString(), resolve.Json.GetProperty("dedup_key").GetString());
        Assert.Equal(webhookFiring.Json.GetProperty("groupKey").GetString(), webhookResolved.Json.GetProperty("groupKey").GetString());
        Assert.Equal((HttpChannelsBrainFactory.ExternalUrl, "on-call bridge"),
            (webhookResolved.Json.GetProperty("externalURL").GetString(), webhookResolved.Json.GetProperty("receiver").GetString()));

        var logs = brain.Logs.GetSnapshot().Select(r => $"{r.Category} {r.Message} {r.Exception}").ToList();
        Assert.Contains(logs, line => line.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal)); // HttpClient does log here
        Assert.Contains(logs, line => line.Contains("delivered via pagerduty", StringComparison.Ordinal));
        var secrets = new[] { brain.Slack.WebhookUrl.AbsolutePath, brain.Webhook.Url.AbsolutePath, RoutingKey };
        Assert.DoesNotContain(logs, line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
        Assert.DoesNotContain(traced, tag => secrets.Any(s => tag.Contains(s, StringComparison.Ordinal)));
        Assert.Contains($"{brain.Slack.WebhookUrl.Scheme}://{brain.Slack.WebhookUrl.Authority}/{SecretRedaction.Redacted}", traced);
    }

    private static string Text(ReceivedRequest slackMessage) => slackMessage.Json.GetProperty("text").GetString()!;

    /// <summary>Every tag of every outgoing HTTP request's trace in this process, as the exporters would get them.</summary>
    private static ActivityListener TraceHttpRequests(ConcurrentQueue<string> tags)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                foreach (var (_, value) in activity.TagObjects)
                    tags.Enqueue(value?.ToString() ?? "");
                tags.Enqueue(activity.DisplayName);
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
