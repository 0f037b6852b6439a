using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Testing;

namespace AiDevOps.Agent.Tests.Functional;

/// <summary>
/// dynalite, the Brain and the Agent as real processes on loopback, wired as in production: the Agent delivers to
/// the Brain with its key, through its durable queue in a folder of its own.
/// </summary>
public sealed class AgentBrainHarness : IAsyncDisposable
{
    public const string AgentKey = "functional-agent-key";

    /// <summary>What remote_write senders present to the Agent's receiver.</summary>
    public const string ReceiverKey = "functional-receiver-key";
    public int BrainPort { get; } = ServiceProcess.FreePort();
    public int AgentPort { get; } = ServiceProcess.FreePort();
    private readonly string _queueFolder = Path.Combine(Path.GetTempPath(), "aidevops-agent-queue-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _agentSettings;

    private AgentBrainHarness(DynaliteServer dynalite, IReadOnlyDictionary<string, string> agentSettings)
    {
        Dynalite = dynalite;
        _agentSettings = new Dictionary<string, string>(agentSettings)
        {
            ["Agent__Id"] = "functional",
            ["Agent__ApiKey"] = AgentKey,
            ["Agent__BrainUrl"] = $"http://127.0.0.1:{BrainPort}",
            ["Agent__Delivery__QueuePath"] = _queueFolder,
            ["Agent__Delivery__MinBackoff"] = "00:00:00.100",
            ["Agent__Delivery__MaxBackoff"] = "00:00:01",
            ["Agent__Receiver__KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ReceiverKey))),
        };
    }

    public DynaliteServer Dynalite { get; }
    public ServiceProcess Brain { get; private set; } = null!;
    public ServiceProcess Agent { get; private set; } = null!;

    public static async Task<AgentBrainHarness> StartAsync(IReadOnlyDictionary<string, string>? agentSettings = null)
    {
        var harness = new AgentBrainHarness(await DynaliteServer.StartAsync(), agentSettings ?? new Dictionary<string, string>());
        await harness.StartBrainAsync();
        await harness.StartAgentAsync();
        return harness;
    }

    public async Task StartBrainAsync() => Brain = await ServiceProcess.StartServiceAsync("AiDevOps.Brain", BrainPort, new Dictionary<string, string>
    {
        ["ConnectionStrings__dynamodb"] = Dynalite.Endpoint.ToString(),
        ["Ingest__Agents__0__Id"] = "functional",
        ["Ingest__Agents__0__KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AgentKey))),
        ["Alerting__InsightsUrl"] = "http://127.0.0.1:9",
        ["Detection__ModelPath"] = Path.Combine(_queueFolder, "models"),
    });

    public async Task StartAgentAsync() => Agent = await ServiceProcess.StartServiceAsync("AiDevOps.Agent", AgentPort, _agentSettings, "/alive");

    /// <summary>Sends one remote_write to the Agent's receiver; true when the Agent took it (204).</summary>
    public Task<bool> WriteToAgentAsync(HttpClient http, IReadOnlyList<SeriesSamples> series) =>
        RemoteWritePost.SendAsync(http, new Uri($"http://127.0.0.1:{AgentPort}/api/v1/write"), ReceiverKey, series);

    /// <summary>Every stored sample of the series matching the labels, as the Brain's API returns them.</summary>
    public async Task<IReadOnlyList<SamplePoint>> StoredSamplesAsync(string metric, string labelQuery, DateTimeOffset from)
    {
        using var http = new HttpClient { BaseAddress = Brain.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        var series = await http.GetFromJsonAsync<JsonElement>($"/api/series?metric={metric}&{labelQuery}");
        var samples = new List<SamplePoint>();
        foreach (var s in series.EnumerateArray())
        {
            var read = await http.GetFromJsonAsync<JsonElement>(
                $"/api/series/{s.GetProperty("id").GetString()}/samples?from={from.ToUnixTimeSeconds() - 60}&limit=10000");
            samples.AddRange(read.GetProperty("samples").Deserialize<List<SamplePoint>>(JsonSerializerOptions.Web)!);
        }
        return samples;
    }

    /// <summary>A Brain read API answer, with the agent's key.</summary>
    public async Task<JsonElement> BrainGetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = Brain.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        return await http.GetFromJsonAsync<JsonElement>(path);
    }

    /// <summary>Names of the series of a metric the Brain holds, as label sets.</summary>
    public async Task<IReadOnlyList<Dictionary<string, string>>> StoredSeriesAsync(string metric)
    {
        using var http = new HttpClient { BaseAddress = Brain.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        var series = await http.GetFromJsonAsync<JsonElement>($"/api/series?metric={metric}");
        return series.EnumerateArray().Select(s => s.GetProperty("labels").Deserialize<Dictionary<string, string>>()!).ToList();
    }

    public string Logs => $"--- agent ---\n{Agent?.Output}\n--- brain ---\n{Brain?.Output}";

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null)
            await Agent.DisposeAsync();
        if (Brain is not null)
            await Brain.DisposeAsync();
        await Dynalite.DisposeAsync();
        if (Directory.Exists(_queueFolder))
            Directory.Delete(_queueFolder, recursive: true);
    }
}
