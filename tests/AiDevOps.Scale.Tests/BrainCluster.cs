using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Testing;

namespace AiDevOps.Scale.Tests;

/// <summary>
/// Several Brains as real processes, one Orleans cluster on one Redis, sharing one dynalite and one models folder,
/// behind a round-robin balancer; one Agent delivering through it; Telegram's Bot API faked on loopback.
/// </summary>
public sealed class BrainCluster : IAsyncDisposable
{
    public const string AgentId = "edge";
    private const string AgentKey = "scale-agent-key";
    private const string ReceiverKey = "scale-receiver-key";
    public const string ChatId = "4242";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aidevops-scale-" + Guid.NewGuid().ToString("N"));
    private readonly string _clusterId = "scale-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _agentPort = ServiceProcess.FreePort();
    private readonly int[] _brainPorts;
    private readonly ServiceProcess?[] _brains;

    private BrainCluster(int brains, RedisServer redis, DynaliteServer dynalite, FakeTelegramBotApi telegram)
    {
        Redis = redis;
        Dynalite = dynalite;
        Telegram = telegram;
        _brainPorts = [.. Enumerable.Range(0, brains).Select(_ => ServiceProcess.FreePort())];
        _brains = new ServiceProcess?[brains];
    }

    public RedisServer Redis { get; }
    public DynaliteServer Dynalite { get; }
    public FakeTelegramBotApi Telegram { get; }
    public RoundRobinBalancer Balancer { get; private set; } = null!;
    public ServiceProcess Agent { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess?> Brains => _brains;

    public static async Task<BrainCluster> StartAsync(int brains)
    {
        var cluster = new BrainCluster(brains, await RedisServer.StartAsync(), await DynaliteServer.StartAsync(), await FakeTelegramBotApi.StartAsync());
        // One after another: the first creates the tables and the local sealing key the others then read.
        for (var i = 0; i < brains; i++)
            await cluster.StartBrainAsync(i);
        cluster.Balancer = await RoundRobinBalancer.StartAsync([.. cluster._brainPorts.Select(p => new Uri($"http://127.0.0.1:{p}"))]);
        cluster.Agent = await ServiceProcess.StartServiceAsync("AiDevOps.Agent", cluster._agentPort, new Dictionary<string, string>
        {
            ["Agent__Id"] = AgentId,
            ["Agent__ApiKey"] = AgentKey,
            ["Agent__BrainUrl"] = cluster.Balancer.Url.ToString(),
            ["Agent__Delivery__QueuePath"] = Path.Combine(cluster._folder, "agent-queue"),
            ["Agent__Delivery__MinBackoff"] = "00:00:00.100",
            ["Agent__Delivery__MaxBackoff"] = "00:00:01",
            ["Agent__Receiver__KeySha256"] = Sha256(ReceiverKey),
        }, "/alive");
        return cluster;
    }

    public async Task StartBrainAsync(int index) => _brains[index] = await ServiceProcess.StartServiceAsync("AiDevOps.Brain", _brainPorts[index], new Dictionary<string, string>
    {
        ["ConnectionStrings__dynamodb"] = Dynalite.Endpoint.ToString(),
        ["Ingest__Agents__0__Id"] = AgentId,
        ["Ingest__Agents__0__KeySha256"] = Sha256(AgentKey),
        ["Alerting__InsightsUrl"] = "http://127.0.0.1:9",
        ["Telegram__BotToken"] = "123456:scale-test-token",
        ["Telegram__ApiBaseUrl"] = Telegram.BaseUrl.ToString(),
        ["Telegram__ChatIds__0"] = ChatId,
        ["Detection__ModelPath"] = Path.Combine(_folder, "models"),
        ["Detection__ModelSaveInterval"] = "00:00:10",
        ["Secrets__LocalKeyPath"] = Path.Combine(_folder, "brain-secrets.key"),
        // As Aspire's Orleans integration sets it for each replica.
        ["Orleans__ClusterId"] = _clusterId,
        ["Orleans__ServiceId"] = "aidevops-brain",
        ["Orleans__Clustering__ProviderType"] = "Redis",
        ["Orleans__Clustering__ServiceKey"] = "orleans-redis",
        ["ConnectionStrings__orleans-redis"] = Redis.ConnectionString,
        ["Orleans__Endpoints__SiloPort"] = ServiceProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Orleans__Endpoints__GatewayPort"] = "0",
        ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
    });

    /// <summary>The Brain whose log says it runs the agent's detection now (activated more often than it left), or -1.</summary>
    public int BrainRunningDetection() => Array.FindIndex(_brains, b => b is { HasExited: false }
        && Count(b.Output, $"Detection of default/{AgentId} active on") > Count(b.Output, $"Detection of default/{AgentId} leaves"));

    private static int Count(string text, string what) => text.Split('\n').Count(line => line.Contains(what, StringComparison.Ordinal));

    public async Task KillBrainAsync(int index) => await _brains[index]!.KillAsync();

    /// <summary>Sends one remote_write to the Agent's receiver; true when the Agent took it (durably queued).</summary>
    public Task<bool> WriteAsync(HttpClient http, IReadOnlyList<SeriesSamples> series) =>
        RemoteWritePost.SendAsync(http, new Uri($"http://127.0.0.1:{_agentPort}/api/v1/write"), ReceiverKey, series);

    /// <summary>A Brain API answer with the agent's key, through the balancer (retried: a Brain may be dead).</summary>
    public async Task<JsonElement> GetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = Balancer.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await http.GetFromJsonAsync<JsonElement>(path);
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Every stored sample of each series of a metric, by instance.</summary>
    public async Task<Dictionary<string, List<SamplePoint>>> StoredAsync(string metric, DateTimeOffset from)
    {
        var stored = new Dictionary<string, List<SamplePoint>>();
        foreach (var series in (await GetAsync($"/api/series?metric={metric}")).EnumerateArray())
        {
            var read = await GetAsync($"/api/series/{series.GetProperty("id").GetString()}/samples?from={from.ToUnixTimeSeconds() - 60}&limit=10000");
            stored[series.GetProperty("labels").GetProperty("instance").GetString()!] = read.GetProperty("samples").Deserialize<List<SamplePoint>>(JsonSerializerOptions.Web)!;
        }
        return stored;
    }

    public string Logs => string.Join("\n", _brains.Select((b, i) => $"--- brain {i} ---\n{b?.Output}")) + $"\n--- agent ---\n{Agent?.Output}";

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
            await Agent.DisposeAsync();
        if (Balancer is not null)
            await Balancer.DisposeAsync();
        foreach (var brain in _brains)
        {
            if (brain is not null)
                await brain.DisposeAsync();
        }
        await Telegram.DisposeAsync();
        await Dynalite.DisposeAsync();
        await Redis.DisposeAsync();
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
