using System.Text;
using System.Text.Json;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Webhook;
using AiDevOps.Testing;
using Microsoft.Extensions.Options;
using static AiDevOps.Brain.Tests.TestNotifications;

namespace AiDevOps.Brain.Tests;

public sealed class WebhookNotifierTests : IAsyncLifetime
{
    private const string ExternalUrl = "https://brain.example.com";
    private FakeWebhookReceiver _receiver = null!;
    private readonly WebhookNotifier _notifier = new(Clients, Options.Create(new WebhookOptions { ExternalUrl = ExternalUrl }));

    public async Task InitializeAsync() => _receiver = await FakeWebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Receiver Receiver => new("webhook", "on-call bridge", _receiver.Url.ToString());

    private static Dictionary<string, string?> Strings(JsonElement o) => o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    [Fact]
    public async Task A_firing_anomaly_is_posted_as_Alertmanagers_version_4_webhook()
    {
        var anomaly = TargetDown();

        var result = await _notifier.NotifyAsync(Receiver, Firing(anomaly), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var sent = Assert.Single(_receiver.Requests.All);
        Assert.Equal(_receiver.Url.AbsolutePath, sent.Path);
        Assert.Equal("application/json", sent.Header("Content-Type"));
        var m = sent.Json;
        Assert.Equal(("4", "firing", "on-call bridge", ExternalUrl, 0),
            (m.GetProperty("version").GetString(), m.GetProperty("status").GetString(), m.GetProperty("receiver").GetString(),
             m.GetProperty("externalURL").GetString(), m.GetProperty("truncatedAlerts").GetInt32()));
        var labels = new Dictionary<string, string?>
        {
            ["alertname"] = "TargetDown", ["instance"] = "db-1:9100", ["job"] = "node", ["metric"] = "up", ["severity"] = "critical",
        };
        var alert = Assert.Single(m.GetProperty("alerts").EnumerateArray());
        Assert.Equal(labels, Strings(alert.GetProperty("labels")));
        Assert.Equal(new Dictionary<string, string?> { ["instance"] = "db-1:9100" }, Strings(m.GetProperty("groupLabels")));
        Assert.Equal(labels, Strings(m.GetProperty("commonLabels")));
        var annotations = new Dictionary<string, string?> { ["description"] = anomaly.Evidence, ["summary"] = anomaly.Summary };
        Assert.Equal(annotations, Strings(alert.GetProperty("annotations")));
        Assert.Equal(annotations, Strings(m.GetProperty("commonAnnotations")));
        Assert.Equal(("firing", "2026-11-28T10:00:00.0000000Z", "0001-01-01T00:00:00Z", "", anomaly.Series.Id[..16]),
            (alert.GetProperty("status").GetString(), alert.GetProperty("startsAt").GetString(), alert.GetProperty("endsAt").GetString(),
             alert.GetProperty("generatorURL").GetString(), alert.GetProperty("fingerprint").GetString()));
        Assert.Equal("{}:{instance=\"db-1:9100\"}", m.GetProperty("groupKey").GetString());
    }

    [Fact]
    public async Task A_resolve_ends_the_same_alert_of_the_same_group()
    {
        var anomaly = TargetDown();
        await _notifier.NotifyAsync(Receiver, Firing(anomaly), CancellationToken.None);

        var result = await _notifier.NotifyAsync(Receiver, Resolved(anomaly, TimeSpan.FromMinutes(3)), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var (firing, resolved) = (_receiver.Requests.All[0].Json, _receiver.Requests.All[1].Json);
        var alert = resolved.GetProperty("alerts")[0];
        Assert.Equal(("resolved", "resolved", "2026-11-28T10:03:00.0000000Z"),
            (resolved.GetProperty("status").GetString(), alert.GetProperty("status").GetString(), alert.GetProperty("endsAt").GetString()));
        Assert.Equal(firing.GetProperty("groupKey").GetString(), resolved.GetProperty("groupKey").GetString());
        Assert.Equal(firing.GetProperty("alerts")[0].GetProperty("fingerprint").GetString(), alert.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task A_Prometheus_alert_keeps_its_own_name_and_severity()
    {
        var result = await _notifier.NotifyAsync(Receiver, Firing(PrometheusAlert(("alertname", "DiskAlmostFull"), ("severity", "page"))), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        Assert.Equal(new Dictionary<string, string?> { ["alertname"] = "DiskAlmostFull", ["severity"] = "page" },
            Strings(Assert.Single(_receiver.Requests.All).Json.GetProperty("commonLabels")));
    }

    [Fact]
    public async Task Credentials_in_the_url_are_sent_as_basic_authentication_and_never_repeated()
    {
        var url = new UriBuilder(_receiver.Url) { UserName = "alerts", Password = "s3cret-pass" }.Uri;
        _receiver.Requests.RefuseNext(401);

        var refused = await _notifier.NotifyAsync(Receiver with { Secret = url.ToString() }, Firing(TargetDown()), CancellationToken.None);
        var delivered = await _notifier.NotifyAsync(Receiver with { Secret = url.ToString() }, Firing(TargetDown()), CancellationToken.None);

        Assert.True(delivered.Delivered, delivered.Error);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alerts:s3cret-pass")), _receiver.Requests.All[1].Header("Authorization"));
        Assert.Equal((false, false), (refused.Delivered, refused.Retryable));
        Assert.DoesNotContain("s3cret-pass", refused.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(410, false)]
    public async Task Rate_limits_timeouts_and_server_errors_are_retried_other_refusals_are_final(int status, bool retryable)
    {
        _receiver.Requests.RefuseNext(status);

        var result = await _notifier.NotifyAsync(Receiver, Firing(TargetDown()), CancellationToken.None);

        Assert.Equal((false, retryable), (result.Delivered, result.Retryable));
        Assert.StartsWith($"Webhook answered {status} ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_receiver.Url.AbsolutePath, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_needs_an_http_url_as_its_secret_and_the_error_does_not_repeat_it()
    {
        Assert.Empty(_notifier.Validate("bridge", "https://oncall.example.com/integrations/v1/alertmanager/k3y/"));
        Assert.True(_notifier.Validate("bridge", null).ContainsKey("secret"));
        Assert.DoesNotContain("ftp://k3y", Assert.Single(_notifier.Validate("bridge", "ftp://k3y@example.com/")["secret"]), StringComparison.Ordinal);
    }
}
