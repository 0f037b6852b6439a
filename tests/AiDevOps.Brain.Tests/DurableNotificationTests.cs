using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting;

namespace AiDevOps.Brain.Tests;

/// <summary>A Brain on a dynalite it does not own, so a second Brain can take over what the first one left.</summary>
public sealed class SharedStorageBrainFactory(Uri dynamodb, Uri telegramApi) : BrainFactory
{
    protected override Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        settings["ConnectionStrings:dynamodb"] = dynamodb.ToString();
        return Task.FromResult<IAsyncDisposable>(new NothingOwned());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telegram:ApiBaseUrl", telegramApi.ToString());
    }

    private sealed class NothingOwned : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Notifications go through a durable outbox: a rate-limited channel gets every page in the end, a refusal for good
/// is dead-lettered and visible, and a Brain stopped mid-delivery sends on after its restart.
/// </summary>
public sealed class DurableNotificationTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private DynaliteServer _dynalite = null!;
    private FakeTelegramBotApi _telegram = null!;

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        _telegram = await FakeTelegramBotApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _telegram.DisposeAsync();
        await _dynalite.DisposeAsync();
    }

    [Fact]
    public async Task A_page_outlasts_a_rate_limit_storm_and_is_sent_once()
    {
        await using var brain = await StartBrainAsync(_telegram.BaseUrl);
        using var client = await ClientWithReceiverAsync(brain, "4242");
        // More refusals than the five attempts a page used to get before it was dropped.
        _telegram.RateLimitNext(7);

        await FireAsync(client, "DiskAlmostFull");

        await _telegram.WaitForMessageAsync(m => m.Text.Contains("DiskAlmostFull", StringComparison.Ordinal), Patience);
        var delivered = await WaitForNotificationAsync(client, "delivered");
        Assert.Equal(8, delivered.GetProperty("attempts").GetInt32());
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(_telegram.Messages, m => m.Text.Contains("DiskAlmostFull", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusal_for_good_is_dead_lettered_once_and_listed()
    {
        _telegram.RejectChat("-404");
        await using var brain = await StartBrainAsync(_telegram.BaseUrl);
        using var client = await ClientWithReceiverAsync(brain, "-404");

        await FireAsync(client, "NoSuchChat");

        var dead = await WaitForNotificationAsync(client, "dead_lettered");
        Assert.Contains("chat not found", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _telegram.RejectedCalls);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>("/api/notifications?state=pending"))!);
    }

    [Fact]
    public async Task A_Brain_stopped_mid_delivery_sends_it_after_its_restart()
    {
        var unreachable = new Uri("http://127.0.0.1:9/");
        await using (var first = await StartBrainAsync(unreachable))
        {
            using var client = await ClientWithReceiverAsync(first, "4242");
            await FireAsync(client, "BrainRestarted");
            var pending = await WaitForNotificationAsync(client, "pending", attempted: true);
            Assert.Contains("unreachable", pending.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        await using var second = await StartBrainAsync(_telegram.BaseUrl);
        using var again = second.ClientWithKey(BrainFactory.AcmeKey);
        await _telegram.WaitForMessageAsync(m => m.Text.Contains("BrainRestarted", StringComparison.Ordinal), Patience);
        await WaitForNotificationAsync(again, "delivered");
        Assert.Single(_telegram.Messages, m => m.Text.Contains("BrainRestarted", StringComparison.Ordinal));
    }

    private async Task<SharedStorageBrainFactory> StartBrainAsync(Uri telegramApi)
    {
        var brain = new SharedStorageBrainFactory(_dynalite.Endpoint, telegramApi);
        await brain.InitializeAsync();
        return brain;
    }

    private static async Task<HttpClient> ClientWithReceiverAsync(BrainFactory brain, string chat)
    {
        var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = chat, secret = "1:bot-of-acme" });
        created.EnsureSuccessStatusCode();
        return client;
    }

    private static async Task FireAsync(HttpClient client, string alertName)
    {
        var alert = new PostableAlert(new Dictionary<string, string> { ["alertname"] = alertName, ["instance"] = "db-1" }, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(10), null);
        using var posted = await client.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        posted.EnsureSuccessStatusCode();
    }

    private static async Task<JsonElement> WaitForNotificationAsync(HttpClient client, string state, bool attempted = false)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var found = await client.GetFromJsonAsync<JsonElement[]>($"/api/notifications?state={state}");
            if (found!.FirstOrDefault(n => !attempted || n.GetProperty("attempts").GetInt32() > 0) is { ValueKind: JsonValueKind.Object } notification)
                return notification;
            await Task.Delay(200);
        }
        throw new TimeoutException($"No {state} notification within {Patience}.");
    }
}
