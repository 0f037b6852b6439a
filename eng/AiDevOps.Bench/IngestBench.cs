using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AiDevOps.Contracts.RemoteWrite;
using Google.Protobuf;
using Snappier;

namespace AiDevOps.Bench;

/// <summary>
/// The Brain's remote_write receiver against Prometheus's (<c>--web.enable-remote-write-receiver</c>), fed by the same
/// generator in the same run: node_exporter-like series with 9 labels, written by concurrent writers that each own a
/// shard of the series (as Prometheus's own remote_write shards do), as fast as each receiver acknowledges. Server
/// cost is read from /proc for the measured window only; the generator's own CPU is not counted. Then a paced run
/// into a tenant of its own, with sample timestamps 15 s apart as from real scrapes, counts the anomalies the Brain
/// opens on that healthy fleet.
/// </summary>
public static class IngestBench
{
    /// <summary>Where the writers send; writer <c>i</c> presents <c>Keys[i % Keys.Count]</c> (none when empty), as its own agent.</summary>
    public sealed record Receiver(string Name, Uri WriteUrl, IReadOnlyList<string> Keys, IReadOnlyDictionary<string, int> Processes);

    internal sealed record Load(string Name, int Series, int SamplesPerSeries);

    internal sealed record Outcome(
        long Samples, double Seconds, int Requests, int Failed, string? FirstFailure, double P50Ms, double P99Ms,
        IReadOnlyDictionary<string, double> CpuSeconds, IReadOnlyDictionary<string, (double MeanMiB, double MaxMiB)> Rss)
    {
        public double PerSecond => Samples / Seconds;

        /// <summary>Per CPU-second of the receiver itself, the first of its processes (the Brain without its store).</summary>
        public double PerReceiverCpuSecond => PerCpuSecond(CpuSeconds.Keys.First());

        public double PerCpuSecond(params string[] processes) =>
            processes.Sum(p => CpuSeconds[p]) is var cpu and > 0 ? Samples / cpu : double.NaN;
    }

    /// <summary>
    /// Arguments: brain write URL, brain key, brain pid, store pid, prometheus write URL, prometheus pid, paced write
    /// URL's key (another tenant of the same Brain), brain read URL.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, bool quick)
    {
        if (args.Length != 7)
        {
            Console.Error.WriteLine("usage: AiDevOps.Bench ingest BRAIN_URL BRAIN_KEY BRAIN_PID STORE_PID PROMETHEUS_URL PROMETHEUS_PID PACED_KEY");
            return 2;
        }
        var brainUrl = new Uri(args[0].TrimEnd('/') + "/");
        var brain = new Receiver("brain", new Uri(brainUrl, "api/v1/write"), [args[1]],
            new Dictionary<string, int> { ["brain"] = int.Parse(args[2], CultureInfo.InvariantCulture), ["store"] = int.Parse(args[3], CultureInfo.InvariantCulture) });
        var prometheus = new Receiver("prometheus", new Uri(args[4].TrimEnd('/') + "/api/v1/write"), [],
            new Dictionary<string, int> { ["prometheus"] = int.Parse(args[5], CultureInfo.InvariantCulture) });
        var pacedKey = args[6];

        var (warmup, seconds, scale) = quick ? (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 100) : (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 1);
        Load[] loads = [new("10k", 10_000 / scale, 1), new("10k_x10", 10_000 / scale, 10), new("100k", 100_000 / scale, 1)];
        const int writers = 2;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = writers * 2 }) { Timeout = TimeSpan.FromSeconds(60) };
        // One clock for every run: each series' timestamps only ever grow, across loads and receivers alike, as
        // Prometheus's head requires.
        var clock = new SampleClock();
        var results = new List<(Load Load, Outcome Brain, Outcome Prometheus)>();
        Console.WriteLine($"remote_write, {writers} writers each owning a shard of the series, {warmup.TotalSeconds:0} s warm-up, {seconds.TotalSeconds:0} s measured per receiver:");
        foreach (var load in loads)
        {
            var onBrain = await MeasureAsync(http, brain, load, writers, clock, warmup, seconds);
            Print(load, brain.Name, onBrain, "brain", "store");
            var onPrometheus = await MeasureAsync(http, prometheus, load, writers, clock, warmup, seconds);
            Print(load, prometheus.Name, onPrometheus, "prometheus");
            results.Add((load, onBrain, onPrometheus));
        }

        var loadAnomalies = await CountAnomaliesAsync(http, brainUrl, brain.Keys[0]);
        var (pacedSeries, rounds) = quick ? (200, 20) : (10_000, 120);
        Console.WriteLine($"Paced run: {pacedSeries} healthy series, {rounds} rounds with timestamps 15 s apart ({rounds * 15 / 60} minutes of scrapes), another tenant...");
        var pacedOpened = await PacedRunAsync(http, brain with { Keys = [pacedKey] }, pacedSeries, rounds, brainUrl);
        Console.WriteLine($"anomalies opened: {pacedOpened} in the paced run; {loadAnomalies} during the load runs (samples 1 ms apart, far below any scrape interval)");

        double Ratio(string load, Func<Outcome, double> measure) =>
            results.Single(r => r.Load.Name == load) is var r ? Math.Round(measure(r.Brain) / measure(r.Prometheus), 3) : double.NaN;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "ingest",
            ["cpu_ratio_10k"] = Ratio("10k", o => o.PerReceiverCpuSecond),
            ["cpu_ratio_10k_x10"] = Ratio("10k_x10", o => o.PerReceiverCpuSecond),
            ["cpu_ratio_100k"] = Ratio("100k", o => o.PerReceiverCpuSecond),
            ["cpu_ratio_10k_with_store"] = Ratio("10k", o => o.PerCpuSecond([.. o.CpuSeconds.Keys])),
            ["rss_ratio_10k"] = Ratio("10k", o => o.Rss.Values.First().MeanMiB),
            ["non_2xx"] = results.Sum(r => r.Brain.Failed + r.Prometheus.Failed),
            ["anomalies_opened"] = pacedOpened,
        }));
        return 0;
    }

    internal static void Print(Load load, string receiver, Outcome o, params string[] processes)
    {
        var cpu = string.Join(", ", processes.Select(p => $"{p} {o.CpuSeconds[p]:F1} CPU-s"));
        var perCpu = processes.Length > 1
            ? $"{o.PerCpuSecond(processes[0]):N0} per {processes[0]} CPU-s, {o.PerCpuSecond(processes):N0} with the {processes[1]}"
            : $"{o.PerCpuSecond(processes):N0} per CPU-s";
        var rss = string.Join(", ", processes.Select(p => $"{p} RSS {o.Rss[p].MeanMiB:F0} MiB (max {o.Rss[p].MaxMiB:F0})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {load.Series:N0} series x {load.SamplesPerSeries} {receiver,-10}: {o.PerSecond:N0} samples/s, {perCpu}; {cpu}; {rss}; p50 {o.P50Ms:F1} ms, p99 {o.P99Ms:F1} ms; {o.Requests} requests, {o.Failed} non-2xx{(o.FirstFailure is null ? "" : $" (first: {o.FirstFailure})")}"));
    }

    /// <summary>
    /// Writes the load as fast as the receiver acknowledges, or at <paramref name="samplesPerSecond"/> (all writers
    /// together) when given, and measures a window after the warm-up.
    /// </summary>
    internal static async Task<Outcome> MeasureAsync(
        HttpClient http, Receiver receiver, Load load, int writers, SampleClock clock, TimeSpan warmup, TimeSpan seconds, double? samplesPerSecond = null)
    {
        var shards = Shards.For(load.Series, writers);
        using var stop = new CancellationTokenSource();
        var window = new Window();
        var every = samplesPerSecond is { } rate ? TimeSpan.FromSeconds(load.Series / writers * load.SamplesPerSeries / (rate / writers)) : (TimeSpan?)null;
        var writing = shards.Select(shard => Task.Run(() => WriteAsync(http, receiver, shard, load.SamplesPerSeries, clock, window, every, stop.Token))).ToList();

        // Warm-up: a while, and until every writer has been answered twice, as the first request naming a series
        // also writes its index entries (100,000 new series: seconds), which steady ingest never does.
        await Task.Delay(warmup);
        while (window.Answered < 2 * writers)
            await Task.Delay(100);
        var cpuBefore = receiver.Processes.ToDictionary(p => p.Key, p => ProcessStats.CpuSeconds(p.Value));
        var rss = receiver.Processes.ToDictionary(p => p.Key, _ => new List<long>());
        var watch = Stopwatch.StartNew();
        window.Open();
        while (watch.Elapsed < seconds)
        {
            foreach (var (name, pid) in receiver.Processes)
                rss[name].Add(ProcessStats.RssBytes(pid));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        var counted = window.Close();
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpu = receiver.Processes.ToDictionary(p => p.Key, p => ProcessStats.CpuSeconds(p.Value) - cpuBefore[p.Key]);
        await stop.CancelAsync();
        await Task.WhenAll(writing);

        var latencies = counted.Latencies.Order().ToList();
        double Percentile(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
        return new Outcome(counted.Samples, elapsed, counted.Requests, counted.Failed, counted.FirstFailure, Percentile(0.5), Percentile(0.99), cpu,
            rss.ToDictionary(r => r.Key, r => (r.Value.Average() / (1 << 20), r.Value.Max() / (double)(1 << 20))));
    }

    private static async Task WriteAsync(
        HttpClient http, Receiver receiver, Shard shard, int samplesPerSeries, SampleClock clock, Window window, TimeSpan? every, CancellationToken stop)
    {
        var samplesPerRequest = shard.Series * samplesPerSeries;
        var paced = Stopwatch.StartNew();
        for (var sent = 0L; !stop.IsCancellationRequested; sent++)
        {
            if (every is { } interval && interval * sent - paced.Elapsed is { Ticks: > 0 } ahead)
            {
                try
                {
                    await Task.Delay(ahead, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            var body = shard.Next(clock.Next(samplesPerSeries), samplesPerSeries);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(Request(receiver, shard.Index, body), stop);
                var failure = response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync(stop))}";
                window.Add(samplesPerRequest, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failure);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException e)
            {
                window.Add(samplesPerRequest, Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Message);
            }
        }
    }

    /// <summary>Healthy series scraped every 15 s for <paramref name="rounds"/> rounds ending now, sent in scrape order.</summary>
    private static async Task<int> PacedRunAsync(HttpClient http, Receiver brain, int series, int rounds, Uri brainUrl)
    {
        var shard = new Shard(0, series, cluster: "paced");
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var round = rounds - 1; round >= 0; round--)
        {
            using var response = await http.SendAsync(Request(brain, 0, shard.Next(end - round * 15_000L, 1)));
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"The paced run was refused: {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
        }
        // Detection reads what was stored off a queue: give it a moment to catch up before counting.
        await Task.Delay(TimeSpan.FromSeconds(5));
        return await CountAnomaliesAsync(http, brainUrl, brain.Keys[0]);
    }

    private static async Task<int> CountAnomaliesAsync(HttpClient http, Uri brainUrl, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(brainUrl, "api/anomalies?state=all&limit=10000"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var anomalies = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return anomalies.RootElement.GetArrayLength();
    }

    internal static HttpRequestMessage Request(Receiver receiver, int writer, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, receiver.WriteUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        request.Content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        request.Headers.Add(RemoteWriteCodec.VersionHeader, RemoteWriteCodec.Version);
        if (receiver.Keys.Count > 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", receiver.Keys[writer % receiver.Keys.Count]);
        return request;
    }

    internal static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>
    /// The writers' shards of each size, built once: a series keeps its values' course from one load to the next, as
    /// a real counter does, instead of starting over.
    /// </summary>
    private static class Shards
    {
        private static readonly Dictionary<(int Series, int Writers), List<Shard>> Built = [];

        public static List<Shard> For(int series, int writers)
        {
            if (!Built.TryGetValue((series, writers), out var shards))
                Built[(series, writers)] = shards = Enumerable.Range(0, writers).Select(w => new Shard(w, series / writers, "load")).ToList();
            return shards;
        }
    }

    /// <summary>
    /// A writer's series: node_exporter-like values (<see cref="NodeExporterHosts"/>) under 9 labels, the protobuf
    /// built once and only its samples replaced per request.
    /// </summary>
    private sealed class Shard
    {
        private readonly NodeExporterHosts _hosts;
        private readonly WriteRequest _request = new();

        public Shard(int index, int series, string cluster)
        {
            Index = index;
            Series = series;
            _hosts = new NodeExporterHosts("bench", series, seed: 1000 + index);
            foreach (var s in _hosts.AllSeries)
            {
                var labels = new Dictionary<string, string>(s.Labels)
                {
                    ["shard"] = index.ToString(CultureInfo.InvariantCulture),
                    ["cluster"] = cluster,
                    ["env"] = "production",
                    ["region"] = "eu-west-1",
                    ["os"] = "linux",
                };
                var timeSeries = new TimeSeries();
                timeSeries.Labels.AddRange(labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new Label { Name = l.Key, Value = l.Value }));
                _request.Timeseries.Add(timeSeries);
            }
        }

        public int Series { get; }

        public int Index { get; }

        /// <summary>The next request: <paramref name="samplesPerSeries"/> scrapes of every series, the last at <paramref name="timestamp"/>, 1 ms apart.</summary>
        public byte[] Next(long timestamp, int samplesPerSeries)
        {
            foreach (var series in _request.Timeseries)
                series.Samples.Clear();
            for (var k = samplesPerSeries - 1; k >= 0; k--)
            {
                var scrape = _hosts.Scrape(timestamp - k);
                for (var i = 0; i < scrape.Count; i++)
                    _request.Timeseries[i].Samples.Add(new Sample { Timestamp = timestamp - k, Value = scrape[i].Item2[0].Value });
            }
            return Snappy.CompressToArray(_request.ToByteArray());
        }
    }

    /// <summary>Milliseconds that only grow: every request's samples are newer than every earlier request's.</summary>
    internal sealed class SampleClock
    {
        private long _last;

        public long Next(int span)
        {
            while (true)
            {
                var last = Interlocked.Read(ref _last);
                var next = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), last + span);
                if (Interlocked.CompareExchange(ref _last, next, last) == last)
                    return next;
            }
        }
    }

    /// <summary>What the writers acknowledged while the window was open.</summary>
    private sealed class Window
    {
        private readonly Lock _gate = new();
        private readonly List<double> _latencies = [];
        private bool _open;
        private int _answered;
        private long _samples;
        private int _requests;
        private int _failed;
        private string? _firstFailure;

        public void Open()
        {
            lock (_gate)
                _open = true;
        }

        public int Answered
        {
            get { lock (_gate) return _answered; }
        }

        public void Add(int samples, double latencyMs, string? failure)
        {
            lock (_gate)
            {
                _answered++;
                if (!_open)
                    return;
                _requests++;
                _latencies.Add(latencyMs);
                if (failure is null)
                    _samples += samples;
                else
                {
                    _failed++;
                    _firstFailure ??= failure;
                }
            }
        }

        public (long Samples, int Requests, int Failed, string? FirstFailure, List<double> Latencies) Close()
        {
            lock (_gate)
            {
                _open = false;
                return (_samples, _requests, _failed, _firstFailure, [.. _latencies]);
            }
        }
    }
}

/// <summary>A process's CPU time and resident memory, read from /proc as top and ps read them.</summary>
internal static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux architecture .NET runs on

    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 0 here, utime 11 and stime 12 (fields 14 and 15 of proc(5)).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public static long RssBytes(int pid) => 1024 * long.Parse(
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        CultureInfo.InvariantCulture);
}
