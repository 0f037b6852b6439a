using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Slack;
using AiDevOps.Testing;
using static AiDevOps.Brain.Tests.TestNotifications;

namespace AiDevOps.Brain.Tests;

public sealed class SlackNotifierTests : IAsyncLifetime
{
    private FakeSlackWebhook _slack = null!;
    private readonly SlackNotifier _notifier = new(Clients);

    public async Task InitializeAsync() => _slack = await FakeSlackWebhook.StartAsync();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    private Receiver Receiver => new("slack", "#ops", _slack.WebhookUrl.ToString());

    [Fact]
    public async Task Firing_is_a_Block_Kit_message_with_a_header_the_series_since_when_the_evidence_and_the_summary()
    {
        var result = await _notifier.NotifyAsync(Receiver, Firing(TargetDown()), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var blocks = Assert.Single(_slack.Requests.All).Json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["header", "section", "context", "section", "section"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("🔴 Target down", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("`up{instance=\"db-1:9100\",job=\"node\"}`", blocks[1].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("Since 2026-11-28 10:00:00 UTC", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Equal(("plain_text", "up went from 1 to 0."), (blocks[3].GetProperty("text").GetProperty("type").GetString(), blocks[3].GetProperty("text").GetProperty("text").GetString()));
        Assert.Equal("db-1 stopped answering its scrapes; check the exporter.", blocks[4].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_resolve_is_a_message_of_its_own_saying_how_long_it_lasted()
    {
        var result = await _notifier.NotifyAsync(Receiver, Resolved(TargetDown(), TimeSpan.FromSeconds(95)), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var message = Assert.Single(_slack.Requests.All).Json;
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("✅ Resolved: Target down", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("After 1m 35s (since 2026-11-28 10:00:00 UTC)", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
        Assert.Equal(3, blocks.Count);
        Assert.StartsWith("✅ Resolved: Target down: up{", message.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_and_summaries_can_neither_link_nor_mention_and_a_long_alert_name_fits_the_header()
    {
        var alert = PrometheusAlert(("alertname", new string('X', 400)), ("job", "<!channel> `x`")) with { Summary = "<https://evil.example|click> *now*" };

        var result = await _notifier.NotifyAsync(Receiver, Firing(alert), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var message = Assert.Single(_slack.Requests.All).Json;
        var blocks = message.GetProperty("blocks");
        Assert.Contains("job=\"&lt;!channel&gt; ˋxˋ\"", blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(("plain_text", "<https://evil.example|click> *now*"), (blocks[3].GetProperty("text").GetProperty("type").GetString(), blocks[3].GetProperty("text").GetProperty("text").GetString()));
        Assert.DoesNotContain("<!channel>", message.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, true, "Slack answered 429 Too Many Requests (Retry-After 1 s): rate_limited")]
    [InlineData(500, true, "Slack answered 500 Internal Server Error: internal_error")]
    [InlineData(503, true, "Slack answered 503 Service Unavailable: internal_error")]
    [InlineData(400, false, "Slack answered 400 Bad Request: invalid_payload")]
    [InlineData(403, false, "Slack answered 403 Forbidden: action_prohibited")]
    [InlineData(404, false, "Slack answered 404 Not Found: no_service")]
    public async Task Rate_limits_and_server_errors_are_retried_and_a_refused_message_is_final(int status, bool retryable, string error)
    {
        _slack.Requests.RefuseNext(status);

        var result = await _notifier.NotifyAsync(Receiver, Firing(TargetDown()), CancellationToken.None);

        Assert.Equal((false, retryable, error), (result.Delivered, result.Retryable, result.Error));
    }

    [Fact]
    public async Task An_unreachable_webhook_is_retried_and_the_error_does_not_repeat_its_url()
    {
        var url = new Uri($"http://127.0.0.1:1{_slack.WebhookUrl.PathAndQuery}");

        var result = await _notifier.NotifyAsync(new Receiver("slack", "#ops", url.ToString()), Firing(TargetDown()), CancellationToken.None);

        Assert.Equal((false, true), (result.Delivered, result.Retryable));
        Assert.StartsWith("Slack unreachable: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(url.Segments[^1], result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_needs_a_webhook_url_as_its_secret_and_the_error_does_not_repeat_it()
    {
        Assert.Empty(_notifier.Validate("#ops", "https://hooks.slack.com/services/T0/B0/abc"));
        Assert.Contains("incoming webhook URL", Assert.Single(_notifier.Validate("#ops", null)["secret"]), StringComparison.Ordinal);
        Assert.DoesNotContain("hooks.slack.example/xoxb", Assert.Single(_notifier.Validate("#ops", "hooks.slack.example/xoxb")["secret"]), StringComparison.Ordinal);
    }
}
