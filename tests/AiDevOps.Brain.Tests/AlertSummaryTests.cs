using System.Net;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Text.Json;
using AiDevOps.Contracts.RemoteWrite;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>The Brain with a reachable Insights stand-in that records what it is asked, and a loopback Bot API.</summary>
public sealed class SummarizingBrainFactory : BrainFactory
{
    public const string InsightsSummary = "INSIGHTS: the disk of db-1 fills; free space or grow the volume.";
    public const string DeterministicSummary = "DETERMINISTIC: DiskAlmostFull on db-1 since a minute ago.";
    public static readonly TimeSpan SummaryTimeout = TimeSpan.FromSeconds(3);

    public ConcurrentQueue<JsonElement> SummaryRequests { get; } = new();
    public FakeTelegramBotApi Telegram { get; private set; } = null!;
    private LoopbackApp _insights = null!;

    protected override async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var storage = await base.StartStorageAsync(settings);
        Telegram = await FakeTelegramBotApi.StartAsync();
        // Like Insights with a model slower than the first budget: the deterministic summary within it, the model's
        // answer when asked again with more time.
        _insights = await LoopbackApp.StartAsync(app => app.MapPost("/api/incident-summaries", async (HttpRequest request) =>
        {
            var facts = (await JsonDocument.ParseAsync(request.Body)).RootElement.Clone();
            SummaryRequests.Enqueue(facts);
            return facts.GetProperty("budgetMilliseconds").GetInt32() <= SummaryTimeout.TotalMilliseconds
                ? Results.Json(new InsightSummary(DeterministicSummary, SummarySources.Deterministic))
                : Results.Json(new InsightSummary($"{InsightsSummary} Members: {facts.GetProperty("members").GetArrayLength()}.", SummarySources.Model));
        }));
        return Together(storage, Telegram, _insights);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Alerting:InsightsUrl", _insights.Address.ToString());
        builder.UseSetting("Alerting:SummaryTimeout", SummaryTimeout.ToString());
        builder.UseSetting("Telegram:ApiBaseUrl", Telegram.BaseUrl.ToString());
    }
}

public sealed class AlertSummaryTests(SummarizingBrainFactory brain) : IClassFixture<SummarizingBrainFactory>
{
    [Fact]
    public async Task A_Prometheus_alert_keeps_its_own_words_beside_the_summary_and_Insights_gets_the_evidence_and_the_budget()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var receiver = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "4242", secret = "1:bot-of-acme" });
        receiver.EnsureSuccessStatusCode();

        var alert = new PostableAlert(
            new Dictionary<string, string> { ["alertname"] = "DiskAlmostFull", ["instance"] = "db-1", ["severity"] = "page" },
            new Dictionary<string, string> { ["summary"] = "Disk of db-1 is 97% full.", ["description"] = "Less than 3% left on /data." },
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(5), null);
        using var posted = await client.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        posted.EnsureSuccessStatusCode();

        // The page goes out within the first budget, with the deterministic summary beside the alert's own words.
        var message = await brain.Telegram.WaitForMessageAsync(m => m.ChatId == "4242" && m.Text.Contains("Disk of db-1", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("Disk of db-1 is 97% full. Less than 3% left on /data.", message.Text, StringComparison.Ordinal);
        Assert.Contains(SummarizingBrainFactory.DeterministicSummary, message.Text, StringComparison.Ordinal);

        // The model's explanation, asked again with more time, edits the message.
        var edited = await brain.Telegram.WaitForEditAsync(e => e.MessageId == message.MessageId && e.Text.Contains(SummarizingBrainFactory.InsightsSummary, StringComparison.Ordinal),
            TimeSpan.FromSeconds(20));
        Assert.Contains("Disk of db-1 is 97% full.", edited.Text, StringComparison.Ordinal);

        var stored = Assert.Single(await brain.Services.GetRequiredService<AnomalyStore>().ListAsync("acme", open: true, limit: 10, CancellationToken.None),
            a => a.Kind == AnomalyKinds.PrometheusAlert);
        Assert.Equal("Disk of db-1 is 97% full. Less than 3% left on /data.", stored.Evidence);

        var first = brain.SummaryRequests.First(r => InstanceOf(r) == "db-1");
        var member = Assert.Single(first.GetProperty("members").EnumerateArray());
        Assert.Equal("Disk of db-1 is 97% full. Less than 3% left on /data.", member.GetProperty("evidence").GetString());
        Assert.Equal(1.0, member.GetProperty("score").GetDouble());
        Assert.Equal(900, first.GetProperty("maxCharacters").GetInt32());
        Assert.InRange(first.GetProperty("budgetMilliseconds").GetInt32(), 1, (int)SummarizingBrainFactory.SummaryTimeout.TotalMilliseconds);

        // The tools' token reads the tenant's data and changes nothing.
        var token = first.GetProperty("tools").GetProperty("token").GetString();
        using var reader = brain.ClientWithKey(token);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/anomalies?state=all")).StatusCode);
        using var write = await reader.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
    }

    [Fact]
    public async Task A_target_whose_series_holds_stale_markers_is_still_explained()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var receiver = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "4343", secret = "1:bot-of-acme" });
        receiver.EnsureSuccessStatusCode();

        // Prometheus marks a vanished series with a NaN; evidence carrying one could not even be sent as JSON.
        var host = "stale-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stale = BitConverter.Int64BitsToDouble(0x7ff0000000000002);
        var payload = RemoteWriteCodec.Encode(
        [
            new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "node", ["instance"] = host },
                [new SamplePoint(now - 45_000, 1), new SamplePoint(now - 30_000, stale), new SamplePoint(now - 15_000, 1), new SamplePoint(now, 0)]),
        ]);
        using var body = new ByteArrayContent(payload);
        body.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        body.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        using var written = await client.PostAsync("/api/v1/write", body);
        written.EnsureSuccessStatusCode();

        var message = await brain.Telegram.WaitForMessageAsync(m => m.ChatId == "4343" && m.Text.Contains(host, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains(SummarizingBrainFactory.DeterministicSummary, message.Text, StringComparison.Ordinal);
        var asked = brain.SummaryRequests.First(r => InstanceOf(r) == host);
        Assert.Equal([1.0, 1.0, 0.0], asked.GetProperty("members")[0].GetProperty("recentValues").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task An_incident_that_grows_is_explained_again_and_the_new_explanation_edits_its_message()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var receiver = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "4444", secret = "1:bot-of-acme" });
        receiver.EnsureSuccessStatusCode();
        var host = "q-" + Guid.NewGuid().ToString("N")[..8];
        PostableAlert Alert(string name, string? severity) => new(
            new Dictionary<string, string> { ["alertname"] = name, ["instance"] = host, ["severity"] = severity ?? "info" },
            new Dictionary<string, string> { ["summary"] = $"{name} on {host}." }, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5), null);

        using (var first = await client.PostAsJsonAsync("/api/v2/alerts", new[] { Alert("QueueBacklog", "page") }))
            first.EnsureSuccessStatusCode();
        var message = await brain.Telegram.WaitForMessageAsync(m => m.ChatId == "4444" && m.Text.Contains($"QueueBacklog on {host}.", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await brain.Telegram.WaitForEditAsync(e => e.ChatId == "4444" && e.MessageId == message.MessageId && e.Text.Contains("Members: 1.", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        using (var second = await client.PostAsJsonAsync("/api/v2/alerts", new[] { Alert("QueueConsumersStalled", null) }))
            second.EnsureSuccessStatusCode();

        // Its follow-up explanation covers both members, edited into the same message.
        var grown = await brain.Telegram.WaitForEditAsync(e => e.ChatId == "4444" && e.MessageId == message.MessageId && e.Text.Contains("Members: 2.", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("QueueConsumersStalled", grown.Text, StringComparison.Ordinal);
        Assert.Single(brain.Telegram.Messages, m => m.ChatId == "4444" && m.Text.Contains(host, StringComparison.Ordinal) && m.ReplyTo is null);
    }

    private static string? InstanceOf(JsonElement request) =>
        request.GetProperty("members")[0].GetProperty("labels").GetProperty("instance").GetString();
}
