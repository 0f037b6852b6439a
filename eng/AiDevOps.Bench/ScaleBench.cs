using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Contracts;
using AiDevOps.Testing;

namespace AiDevOps.Bench;

/// <summary>
/// One Brain against three in one Orleans cluster (Redis), on the same dynalite, fed by the same generator as
/// <c>eng/bench.sh ingest</c>: six agents' writers, each its own agent, straight to the one Brain, then through a
/// round-robin balancer to the three. Samples per second, and per Brain CPU-second (on one machine the Brains share
/// its cores, so throughput cannot grow much here; the cost per sample says what a Brain on a machine of its own
/// would do). Then a Brain running agents' detection is killed with SIGKILL while every agent keeps writing a marker
/// series through the balancer, retrying what fails as an agent does: how long until every agent is served again,
/// and whether any acknowledged sample is missing or stored twice.
/// </summary>
public static class ScaleBench
{
    private const int Agents = 6;
    private static readonly TimeSpan MarkerEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>Arguments: the published Brain's folder, dynalite's URL, Redis's address, the runtime settings of the Brain's image.</summary>
    public static async Task<int> RunAsync(string[] args, bool quick)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: AiDevOps.Bench scale BRAIN_DIR DYNAMODB_URL REDIS RUNTIME_ENV");
            return 2;
        }
        var settings = new BrainSettings(args[0], args[1], args[2], args[3]);
        var keys = Enumerable.Range(0, Agents).Select(i => $"key-scale-{i}").ToList();
        var (warmup, seconds, series) = quick ? (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 600) : (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 12_000);
        var load = new IngestBench.Load("scale", series, 1);
        var clock = new IngestBench.SampleClock();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Agents * 2 }) { Timeout = TimeSpan.FromSeconds(60) };

        Console.WriteLine($"remote_write of {series:N0} series by {Agents} agents ({Agents} writers), {warmup.TotalSeconds:0} s warm-up, {seconds.TotalSeconds:0} s measured:");
        IngestBench.Outcome one;
        await using (var single = await BrainSet.StartAsync(1, settings, "bench-one"))
        {
            one = await IngestBench.MeasureAsync(http, single.Receiver("1 Brain", single.Urls[0], keys), load, Agents, clock, warmup, seconds);
            IngestBench.Print(load, "1 Brain", one, [.. single.Processes.Keys]);
        }

        await using var three = await BrainSet.StartAsync(3, settings, "bench-three");
        await three.SpreadAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"agents' detection per Brain: {string.Join(", ", Enumerable.Range(0, three.Count).Select(three.DetectionGrainsOn))}");
        await using var balancer = await RoundRobinBalancer.StartAsync(three.Urls);
        var spread = await IngestBench.MeasureAsync(http, three.Receiver("3 Brains", balancer.Url, keys), load, Agents, clock, warmup, seconds);
        IngestBench.Print(load, "3 Brains", spread, [.. three.Processes.Keys]);

        // The same paced load on both: at full speed the one dynalite is what both wait for, and three Brains share its
        // throughput and the machine's two cores with it; at one rate both can keep, the CPU a sample costs compares.
        var rate = Math.Round(Math.Min(one.PerSecond, spread.PerSecond) / 2000) * 1000;
        var pacedThree = await IngestBench.MeasureAsync(http, three.Receiver("3 Brains", balancer.Url, keys), load, Agents, clock, warmup, seconds, rate);
        IngestBench.Print(load, "3 Brains, paced", pacedThree, [.. three.Processes.Keys]);
        var failover = await FailoverAsync(http, three, balancer.Url, keys);
        await three.DisposeAsync();
        IngestBench.Outcome pacedOne;
        await using (var single = await BrainSet.StartAsync(1, settings, "bench-one-paced"))
        {
            pacedOne = await IngestBench.MeasureAsync(http, single.Receiver("1 Brain", single.Urls[0], keys), load, Agents, clock, warmup, seconds, rate);
            IngestBench.Print(load, "1 Brain, paced", pacedOne, [.. single.Processes.Keys]);
        }
        var perCpuOne = pacedOne.PerCpuSecond([.. pacedOne.CpuSeconds.Keys]);
        var perCpuThree = pacedThree.PerCpuSecond([.. pacedThree.CpuSeconds.Keys]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"3 Brains against 1: {spread.PerSecond / one.PerSecond:F2}x the samples/s at full speed; at {rate:N0} samples/s a sample costs {perCpuOne / perCpuThree:F2}x the Brain CPU ({perCpuThree:N0} against {perCpuOne:N0} samples per Brain CPU-second)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Brain {failover.Killed} killed (running {failover.Grains} agents' detection): every agent served again after {failover.Seconds:F1} s; {failover.Acknowledged} marker samples acknowledged, {failover.Lost} lost, {failover.Duplicated} stored twice"));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "scale",
            ["speedup_3"] = Math.Round(spread.PerSecond / one.PerSecond, 3),
            ["per_cpu_ratio_3_vs_1"] = Math.Round(perCpuOne / perCpuThree, 3),
            ["failover_s"] = Math.Round(failover.Seconds, 2),
            ["lost"] = failover.Lost,
            ["duplicated"] = failover.Duplicated,
        }));
        return 0;
    }

    private sealed record Failover(int Killed, int Grains, double Seconds, int Acknowledged, int Lost, int Duplicated);

    /// <summary>
    /// Every agent writes one marker sample every 200 ms through the balancer, the same sample again until it is
    /// acknowledged; the Brain running the most agents' detection is killed meanwhile. Served again: every agent has
    /// had a sample acknowledged after the kill.
    /// </summary>
    private static async Task<Failover> FailoverAsync(HttpClient http, BrainSet brains, Uri balancer, List<string> keys)
    {
        var victim = Enumerable.Range(0, brains.Count).MaxBy(i => brains.DetectionGrainsOn(i));
        var grains = brains.DetectionGrainsOn(victim);
        using var stop = new CancellationTokenSource();
        var killedAt = 0L;
        var servedAgain = new long[keys.Count];
        var acknowledged = keys.Select(_ => new List<long>()).ToArray();
        var writers = keys.Select((key, agent) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var sample = new SamplePoint(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), agent);
                while (!stop.IsCancellationRequested && !await WriteMarkerAsync(http, balancer, key, agent, sample))
                    await Task.Delay(50);
                if (stop.IsCancellationRequested)
                    break;
                acknowledged[agent].Add(sample.Timestamp);
                if (Interlocked.Read(ref killedAt) is > 0 and var killed && servedAgain[agent] == 0)
                    servedAgain[agent] = Stopwatch.GetTimestamp() - killed;
                await Task.Delay(MarkerEvery);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(3));
        Interlocked.Exchange(ref killedAt, Stopwatch.GetTimestamp());
        await brains.KillAsync(victim);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (servedAgain.Any(s => s == 0) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var survivor = brains.Urls[(victim + 1) % brains.Count];
        int lost = 0, duplicated = 0;
        for (var agent = 0; agent < keys.Count; agent++)
        {
            var stored = await StoredMarkerAsync(http, survivor, keys[agent], agent);
            lost += acknowledged[agent].Except(stored).Count();
            duplicated += stored.Count - stored.Distinct().Count();
        }
        var seconds = servedAgain.Any(s => s == 0) ? double.PositiveInfinity : servedAgain.Max() / (double)Stopwatch.Frequency;
        return new Failover(victim, grains, seconds, acknowledged.Sum(a => a.Count), lost, duplicated);
    }

    private static Task<bool> WriteMarkerAsync(HttpClient http, Uri balancer, string key, int agent, SamplePoint sample) =>
        RemoteWritePost.SendAsync(http, new Uri(balancer, "api/v1/write"), key, [new SeriesSamples(Marker(agent), [sample])]);

    private static Dictionary<string, string> Marker(int agent) =>
        new() { ["__name__"] = "scale_marker", ["agent"] = agent.ToString(CultureInfo.InvariantCulture) };

    private static async Task<List<long>> StoredMarkerAsync(HttpClient http, Uri brain, string key, int agent)
    {
        async Task<JsonElement> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(brain, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
        var series = (await GetAsync($"api/series?metric=scale_marker&agent={agent}")).EnumerateArray().Single();
        var samples = await GetAsync($"api/series/{series.GetProperty("id").GetString()}/samples?from={DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()}&limit=10000");
        return [.. samples.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("timestamp").GetInt64())];
    }

    private sealed record BrainSettings(string Folder, string DynamoDb, string Redis, string RuntimeEnvironment);

    /// <summary>Brains from the published folder, one Orleans cluster on Redis, every bench agent configured on each.</summary>
    private sealed class BrainSet : IAsyncDisposable
    {
        private readonly List<ServiceProcess> _brains;

        private BrainSet(List<ServiceProcess> brains) => _brains = brains;

        public int Count => _brains.Count;

        public IReadOnlyList<Uri> Urls => [.. _brains.Select(b => b.BaseUrl)];

        public IReadOnlyDictionary<string, int> Processes => _brains.Select((b, i) => (b, i)).ToDictionary(p => $"brain-{p.i}", p => p.b.Pid);

        public IngestBench.Receiver Receiver(string name, Uri url, IReadOnlyList<string> keys) =>
            new(name, new Uri(url, "api/v1/write"), keys, Processes);

        /// <summary>Agents' detection grains the Brain runs now, by its log: activations less departures (a grain moves when Brains join).</summary>
        public int DetectionGrainsOn(int brain) =>
            _brains[brain].Output.Split('\n').Sum(line => line.Contains("Detection of default/", StringComparison.Ordinal)
                ? line.Contains(" active on ", StringComparison.Ordinal) ? 1 : line.Contains(" leaves ", StringComparison.Ordinal) ? -1 : 0
                : 0);

        /// <summary>Waits until every agent's detection is active and spread: no Brain runs them all (they move within 30 s of a join).</summary>
        public async Task SpreadAsync(TimeSpan patience)
        {
            var deadline = DateTime.UtcNow + patience;
            while (DateTime.UtcNow < deadline)
            {
                var counts = Enumerable.Range(0, Count).Select(DetectionGrainsOn).ToList();
                if (counts.Sum() == Agents && counts.Max() < Agents)
                    return;
                await Task.Delay(500);
            }
        }

        public Task KillAsync(int brain) => _brains[brain].KillAsync();

        public static async Task<BrainSet> StartAsync(int count, BrainSettings settings, string clusterId)
        {
            var brains = new List<ServiceProcess>();
            for (var i = 0; i < count; i++)
            {
                var port = ServiceProcess.FreePort();
                var environment = new Dictionary<string, string>
                {
                    ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                    ["DOTNET_ENVIRONMENT"] = "Production",
                    ["Logging__LogLevel__Default"] = "Warning",
                    // Which Brain runs which agents' detection, for the failover.
                    ["Logging__LogLevel__AiDevOps.Brain.Detection.AgentDetectionGrain"] = "Information",
                    ["ConnectionStrings__dynamodb"] = settings.DynamoDb,
                    ["Storage__TablePrefix"] = "scale",
                    ["Detection__ModelPath"] = Path.Combine(settings.Folder, "..", "models-" + clusterId),
                    ["Secrets__LocalKeyPath"] = Path.Combine(settings.Folder, "..", "brain-secrets.key"),
                    ["Orleans__ClusterId"] = clusterId,
                    ["Orleans__ServiceId"] = "aidevops-brain",
                    ["Orleans__Clustering__ProviderType"] = "Redis",
                    ["Orleans__Clustering__ServiceKey"] = "orleans-redis",
                    ["ConnectionStrings__orleans-redis"] = settings.Redis,
                    ["Orleans__Endpoints__SiloPort"] = ServiceProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                    ["Orleans__Endpoints__GatewayPort"] = "0",
                    ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
                };
                for (var agent = 0; agent < Agents; agent++)
                {
                    environment[$"Ingest__Agents__{agent}__Id"] = $"scale-{agent}";
                    environment[$"Ingest__Agents__{agent}__KeySha256"] = Convert.ToHexStringLower(
                        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"key-scale-{agent}")));
                }
                foreach (var setting in settings.RuntimeEnvironment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    environment[setting[..setting.IndexOf('=', StringComparison.Ordinal)]] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..];
                brains.Add(await ServiceProcess.StartAsync(Path.Combine(settings.Folder, "AiDevOps.Brain"), [], port, "/health", environment));
            }
            return new BrainSet(brains);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var brain in _brains)
                await brain.StopAsync(TimeSpan.FromSeconds(20));
            foreach (var brain in _brains)
                await brain.DisposeAsync();
            _brains.Clear(); // disposed early (to measure one Brain alone again) and again at the end
        }
    }
}
