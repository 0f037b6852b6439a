using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Brain.Detection;
using AiDevOps.Testing;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types.Enums;

namespace AiDevOps.Brain.Tests;

public sealed class TelegramNotifierTests : IAsyncLifetime
{
    private const string Token = "123:notifier-test-token";
    private FakeTelegramBotApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeTelegramBotApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static Notification Firing(string instance) => TestNotifications.Firing(new Anomaly(
        "id", Series.Of("default", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node", ["instance"] = instance }),
        AnomalyKinds.TargetDown, UpDetector.Name, 1, DateTimeOffset.UnixEpoch.AddDays(20000), Summary: "Restart <it> & check"));

    /// <summary>The real Bot API client, without its own retries, as the notifier uses it.</summary>
    private TelegramBotClient Bot() => new(new TelegramBotClientOptions(Token, _api.BaseUrl.ToString().TrimEnd('/')) { RetryCount = 0 });

    private TelegramNotifier Notifier(string? configuredToken = Token) =>
        new(Options.Create(new TelegramOptions { BotToken = configuredToken, ApiBaseUrl = _api.BaseUrl.ToString() }));

    [Fact]
    public async Task Sends_an_escaped_html_message_to_the_receivers_chat()
    {
        var result = await Notifier().NotifyAsync(new Receiver("telegram", "4242"), Firing("db-1:9100"), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var sent = Assert.Single(_api.Messages);
        Assert.Equal((Token, "4242", "html"), (sent.Token, sent.ChatId, sent.ParseMode?.ToLowerInvariant()));
        Assert.Contains("<b>Target down</b>", sent.Text, StringComparison.Ordinal);
        Assert.Contains("instance=&quot;db-1:9100&quot;", sent.Text, StringComparison.Ordinal);
        Assert.Contains("Restart &lt;it&gt; &amp; check", sent.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_target_down_pages_and_an_unusual_series_arrives_silently()
    {
        var down = Firing("db-1:9100");
        var unusual = TestNotifications.Firing(
            down.Anomaly with { Kind = AnomalyKinds.Unusual, Series = Series.Of("default", new Dictionary<string, string> { ["__name__"] = "node_load1" }) });

        Assert.True((await Notifier().NotifyAsync(new Receiver("telegram", "4242"), down, CancellationToken.None)).Delivered);
        Assert.True((await Notifier().NotifyAsync(new Receiver("telegram", "4242"), unusual, CancellationToken.None)).Delivered);

        Assert.False(_api.Messages.Single(m => m.Text.Contains("Target down", StringComparison.Ordinal)).Silent);
        Assert.True(_api.Messages.Single(m => m.Text.Contains("node_load1", StringComparison.Ordinal)).Silent);
    }

    [Theory]
    [InlineData(AnomalyKinds.TargetDown, null, true)]
    [InlineData(AnomalyKinds.AgentSilent, null, true)]
    [InlineData(AnomalyKinds.PredictedExhaustion, null, true)]
    [InlineData(AnomalyKinds.PrometheusAlert, "critical", true)]
    [InlineData(AnomalyKinds.PrometheusAlert, "page", true)]
    [InlineData(AnomalyKinds.PrometheusAlert, "warning", false)]
    [InlineData(AnomalyKinds.PrometheusAlert, null, false)]
    [InlineData(AnomalyKinds.Unusual, "critical", false)]
    public void Only_what_deserves_it_pages(string kind, string? severity, bool pages)
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "x" };
        if (severity is not null)
            labels[Severity.Label] = severity;
        Assert.Equal(pages, Severity.Pages(new Anomaly("id", Series.Of("t", labels), kind, "d", 1, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public async Task A_receiver_with_its_own_token_is_sent_with_it()
    {
        var result = await Notifier(configuredToken: null).NotifyAsync(
            new Receiver("telegram", "@ops_channel", "777:receiver-token"), Firing("db-1:9100"), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        Assert.Equal(("777:receiver-token", "@ops_channel"), (Assert.Single(_api.Messages).Token, _api.Messages.Single().ChatId));
    }

    [Fact]
    public async Task Without_any_token_the_failure_is_final_and_says_what_to_set()
    {
        var result = await Notifier(configuredToken: null).NotifyAsync(new Receiver("telegram", "4242"), Firing("db-1:9100"), CancellationToken.None);

        Assert.False(result.Retryable);
        Assert.Contains("Telegram:BotToken", result.Error, StringComparison.Ordinal);
        Assert.Empty(_api.Messages);
    }

    [Fact]
    public async Task A_rate_limit_is_worth_retrying()
    {
        _api.RateLimitNext(1);
        var result = await Notifier().NotifyAsync(new Receiver("telegram", "4242"), Firing("db-1:9100"), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.True(result.Retryable);
        Assert.Contains("429", result.Error, StringComparison.Ordinal);
        // The Bot API's retry_after, to be honoured exactly.
        Assert.Equal(TimeSpan.FromSeconds(1), result.RetryAfter);
    }

    [Theory]
    [InlineData("<b>Target down", "Can't find end tag corresponding to start tag \"b\"")]
    [InlineData("<b>Target down</i></b>", "Unmatched end tag")]
    [InlineData("Disk &am", "Can't find end of the entity")]
    [InlineData("<script>x</script>", "Unsupported start tag \"script\"")]
    public async Task The_fake_Bot_API_refuses_html_Telegram_cannot_parse(string html, string reason)
    {
        var refused = await Assert.ThrowsAsync<ApiRequestException>(() => Bot().SendMessage(4242, html, ParseMode.Html));

        Assert.Equal(400, refused.ErrorCode);
        Assert.Contains("can't parse entities: " + reason, refused.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Messages);
    }

    [Fact]
    public async Task The_fake_Bot_API_counts_the_limit_after_entity_parsing_as_Telegram_does()
    {
        var bot = Bot();

        await bot.SendMessage(4242, string.Concat(Enumerable.Repeat("&amp;", FakeTelegramBotApi.MaxTextLength)), ParseMode.Html);
        var tooLong = await Assert.ThrowsAsync<ApiRequestException>(() => bot.SendMessage(4242, new string('a', FakeTelegramBotApi.MaxTextLength + 1), ParseMode.Html));

        Assert.Equal(400, tooLong.ErrorCode);
        Assert.Contains("message is too long", tooLong.Message, StringComparison.Ordinal);
        Assert.Single(_api.Messages);
    }

    [Fact]
    public async Task An_alert_of_any_size_is_accepted_by_the_Bot_API_where_the_old_cut_html_was_refused()
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "up", ["job"] = string.Concat(Enumerable.Repeat("<&\"🔥", 3_000)), ["instance"] = "db-1:9100" };
        var huge = Firing("db-1:9100").Anomaly with
        {
            Series = Series.Of("default", labels),
            Evidence = string.Concat(Enumerable.Repeat("got 0.95 & <rising> 🔥 ", 500)),
            Summary = string.Concat(Enumerable.Repeat("Restart <it> & check the disk. ", 800)),
        };

        var result = await Notifier().NotifyAsync(new Receiver("telegram", "4242"), TestNotifications.Firing(huge), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var text = TelegramHtml.Text(Assert.Single(_api.Messages).Text);
        Assert.InRange(text.Length, 4_000, FakeTelegramBotApi.MaxTextLength);
        Assert.StartsWith("🔴 Target down\nup{instance=\"db-1:9100\",job=\"<&\"🔥", text, StringComparison.Ordinal);

        // What the formatter used to send, the HTML cut at 4096 characters, is refused.
        var cut = TelegramMessageFormatter.ToHtml(TestNotifications.Firing(huge))[..TelegramMessageFormatter.MaxLength];
        var refused = await Assert.ThrowsAsync<ApiRequestException>(() => Bot().SendMessage(4242, cut, ParseMode.Html));
        Assert.Equal(400, refused.ErrorCode);
    }
}
