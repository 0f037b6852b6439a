using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;
using Microsoft.Playwright;

namespace AiDevOps.Web.Tests;

/// <summary>
/// The Web UI with what it shows, all real and on loopback: Brain (dynalite), Insights, the Web host, a loopback Bot
/// API, and Debian's Chromium driven by Playwright. Seeded with a day of 100 series and a real target_down: an
/// <c>up</c> series that went to 0, which the Brain's detector turns into an incident, notified and explained.
/// </summary>
public sealed class WebUiFixture : IAsyncLifetime
{
    public const string Metric = "web_requests_per_second";
    public const int SeriesCount = 100;
    public const string DownInstance = "web-1:9100";
    public const string AgentVersion = "1.4.0+abc1234";
    private const string InsightsKey = "web-tests-insights-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _models = Path.Combine(Path.GetTempPath(), "aidevops-web-models-" + Guid.NewGuid().ToString("N"));
    private DynaliteServer _dynalite = null!;


    public FakeTelegramBotApi Telegram { get; private set; } = null!;
    public InsightsHost Insights { get; private set; } = null!;
    public BrainHost Brain { get; private set; } = null!;
    public WebUiHost Web { get; private set; } = null!;
    public Chromium Chromium { get; private set; } = null!;

    public IBrowser Browser => Chromium.Browser;

    /// <summary>The incident the target_down opened, as the Brain first listed it.</summary>
    public string IncidentId { get; private set; } = "";

    /// <summary>Where the tests leave their screenshots (the README shows copies of them).</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>The render times measured, one line each, printed by eng/test.sh after the run.</summary>
    public static string Timings { get; } = Path.Combine(AppContext.BaseDirectory, "web-render-times.txt");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        File.Delete(Timings);
        _dynalite = await DynaliteServer.StartAsync();
        Telegram = await FakeTelegramBotApi.StartAsync();
        Insights = new InsightsHost(new Dictionary<string, string> { ["Insights:ApiKeySha256"] = ApiKeyHash.HexOf(InsightsKey) });
        Insights.Start();
        Brain = new BrainHost(BrainHost.Settings(_dynalite.Endpoint, Telegram.BaseUrl, Insights.Url, InsightsKey, _models));
        await Brain.StartAsync();
        Web = new WebUiHost(Brain.Url.ToString());
        Web.Start();

        using var acme = BrainClient(BrainHost.AcmeKey);
        // As an agent sends: its version and what it has queued (shown on the overview).
        acme.DefaultRequestHeaders.UserAgent.ParseAdd(AgentHeaders.Product + "/" + AgentVersion);
        acme.DefaultRequestHeaders.Add(AgentHeaders.QueuedSamples, "0");
        await SeedAsync(acme);
        Chromium = await Chromium.LaunchAsync();
    }

    public HttpClient BrainClient(string key)
    {
        var client = new HttpClient { BaseAddress = Brain.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A browser tab signed in as <paramref name="name"/> with <paramref name="key"/>, at the overview.</summary>
    public Task<IPage> SignedInPageAsync(string name, string key, ViewportSize? viewport = null) =>
        Chromium.SignedInPageAsync(Web.Url, name, key, viewport);

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public static void RecordTiming(string line)
    {
        lock (Timings)
            File.AppendAllText(Timings, line + "\n");
    }

    private async Task SeedAsync(HttpClient acme)
    {
        // A receiver, so the incident is sent somewhere and its notifications have a channel.
        await AddTelegramReceiverAsync(acme, "4242", "1:acme-bot");

        // A day of 100 smooth series, a point a minute, ten series a request.
        var now = DateTimeOffset.UtcNow;
        var start = now.AddHours(-24).ToUnixTimeMilliseconds() / 60_000 * 60_000;
        for (var batch = 0; batch < SeriesCount / 10; batch++)
        {
            var series = Enumerable.Range(batch * 10, 10).Select(i => new SeriesSamples(
                new Dictionary<string, string> { ["__name__"] = Metric, ["instance"] = $"app-{i:D2}:9100", ["job"] = "app" },
                [.. Enumerable.Range(0, 1441).Select(m => new SamplePoint(start + m * 60_000L, 100 + 10 * (i % 7) + 20 * Math.Sin(2 * Math.PI * m / 1440 + i)))]))
                .ToList();
            using var response = await acme.PostAsJsonAsync("/ingest", new IngestRequest(series));
            response.EnsureSuccessStatusCode();
        }

        await TakeDownAsync(acme, DownInstance);

        IncidentId = await Eventually.ValueAsync(async () =>
        {
            var open = await acme.GetFromJsonAsync<JsonElement[]>("/api/incidents?state=open");
            return open!.FirstOrDefault(i => i.GetProperty("members").EnumerateArray().Any(m => m.GetProperty("kind").GetString() == AnomalyKinds.TargetDown)
                && i.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.String) is { ValueKind: JsonValueKind.Object } found
                ? found.GetProperty("id").GetString()
                : null;
        }, Patience, "the target_down incident, explained by Insights");
    }

    /// <summary>Incidents are what people are told of: a tenant needs someone to tell.</summary>
    public static async Task AddTelegramReceiverAsync(HttpClient tenant, string chat, string botToken)
    {
        using var created = await tenant.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = chat, secret = botToken });
        created.EnsureSuccessStatusCode();
    }

    /// <summary>A target goes down: its <c>up</c> is 1, 1, then 0, 0 over the last minute, as an agent forwards its scrapes.</summary>
    public static async Task TakeDownAsync(HttpClient tenant, string instance)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var up = new SeriesSamples(new Dictionary<string, string> { ["__name__"] = "up", ["instance"] = instance, ["job"] = "node" },
            [new(at, 1), new(at + 15_000, 1), new(at + 30_000, 0), new(at + 45_000, 0)]);
        using var response = await tenant.PostAsJsonAsync("/ingest", new IngestRequest([up]));
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
            await Chromium.DisposeAsync();
        if (Web is not null)
            await Web.DisposeAsync();
        if (Brain is not null)
            await Brain.DisposeAsync();
        if (Insights is not null)
            await Insights.DisposeAsync();
        await Telegram.DisposeAsync();
        await _dynalite.DisposeAsync();
        if (Directory.Exists(_models))
            Directory.Delete(_models, recursive: true);
    }
}
