using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
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
    public static readonly TimeSpan SummaryTimeout = TimeSpan.FromSeconds(3);

    public ConcurrentQueue<JsonElement> SummaryRequests { get; } = new();
    public FakeTelegramBotApi Telegram { get; private set; } = null!;
    private LoopbackApp _insights = null!;

    protected override async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var storage = await base.StartStorageAsync(settings);
        Telegram = await FakeTelegramBotApi.StartAsync();
        _insights = await LoopbackApp.StartAsync(app => app.MapPost("/api/summaries", async (HttpRequest request) =>
        {
            SummaryRequests.Enqueue((await JsonDocument.ParseAsync(request.Body)).RootElement.Clone());
            return Results.Json(new InsightSummary(InsightsSummary, SummarySources.Model));
        }));
        return new AsyncDisposables(storage, Telegram, _insights);
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

        var message = await brain.Telegram.WaitForMessageAsync(m => m.Text.Contains("DiskAlmostFull", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("Disk of db-1 is 97% full. Less than 3% left on /data.", message.Text, StringComparison.Ordinal);
        Assert.Contains(SummarizingBrainFactory.InsightsSummary, message.Text, StringComparison.Ordinal);

        var stored = Assert.Single(await brain.Services.GetRequiredService<AnomalyStore>().ListAsync("acme", open: true, limit: 10, CancellationToken.None),
            a => a.Kind == AnomalyKinds.PrometheusAlert);
        Assert.Equal("Disk of db-1 is 97% full. Less than 3% left on /data.", stored.Evidence);
        Assert.Equal(SummarizingBrainFactory.InsightsSummary, stored.Summary);

        var request = Assert.Single(brain.SummaryRequests);
        Assert.Equal("Disk of db-1 is 97% full. Less than 3% left on /data.", request.GetProperty("evidence").GetString());
        Assert.Equal(1.0, request.GetProperty("score").GetDouble());
        var budget = request.GetProperty("budgetMilliseconds").GetInt32();
        Assert.InRange(budget, 1, (int)SummarizingBrainFactory.SummaryTimeout.TotalMilliseconds);
    }
}
