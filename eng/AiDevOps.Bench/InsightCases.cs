using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Detection;
using AiDevOps.Contracts;
using AiDevOps.Detection;
using AiDevOps.Insights.Incidents;
using AiDevOps.Storage;

namespace AiDevOps.Bench;

/// <summary>One thing a good explanation of the incident states, as a case-insensitive pattern over its text.</summary>
internal sealed record RequiredFact(string Name, string Pattern)
{
    public bool In(string text) => Regex.IsMatch(text, Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

internal sealed record InsightCase(string Name, IncidentFacts Facts, IReadOnlyList<RequiredFact> Required);

/// <summary>
/// The incidents of <c>eng/bench.sh insights</c> and what a good explanation of each states: what, where, since when,
/// how far from normal, what moved with it, the likely cause class, the next step; for a resolved one that it
/// resolved and how long it lasted. Numbers are asked for as <see cref="IncidentText.Number"/> writes them, or in the
/// forms a person would write (a percentage of a ratio, GB of bytes); times as HH:MM UTC.
/// </summary>
internal static class InsightCases
{
    private const int RecentValues = 20;
    private const string Tenant = "bench";

    /// <summary>
    /// NAB series read as a host's metrics (the NAB file names that give the known cause away, <c>system_failure</c>,
    /// <c>asg_misconfiguration</c>, are dropped from the metric name), with the cause words a good explanation uses;
    /// null: a generic series whose cause only needs stating.
    /// </summary>
    private static readonly (string File, string? Cause)[] NabFiles =
    [
        ("realKnownCause/cpu_utilization_asg_misconfiguration.csv", "cpu"),
        ("realKnownCause/ec2_request_latency_system_failure.csv", @"latency|slow"),
        ("realKnownCause/machine_temperature_system_failure.csv", null),
        ("realKnownCause/ambient_temperature_system_failure.csv", null),
        ("realKnownCause/nyc_taxi.csv", null),
        ("realKnownCause/rogue_agent_key_hold.csv", null),
        ("realTraffic/occupancy_6005.csv", null),
        ("realTraffic/speed_7578.csv", null),
        ("realTraffic/TravelTime_387.csv", null),
        ("realTweets/Twitter_volume_AAPL.csv", null),
        ("realTweets/Twitter_volume_GOOG.csv", null),
        ("realAdExchange/exchange-2_cpc_results.csv", null),
        ("realAdExchange/exchange-3_cpm_results.csv", null),
        ("artificialWithAnomaly/art_daily_jumpsup.csv", null),
        ("artificialWithAnomaly/art_daily_flatmiddle.csv", null),
        ("artificialWithAnomaly/art_load_balancer_spikes.csv", null),
        ("artificialWithAnomaly/art_increase_spike_density.csv", null),
    ];

    /// <summary>Every case: the NAB ones (quick: the first 3 files), then the fault scenarios.</summary>
    public static List<InsightCase> All(string nabDir, bool quick)
    {
        var cases = FromNab(nabDir, quick ? 3 : NabFiles.Length);
        cases.AddRange(Scenarios());
        return cases;
    }

    // ---- Real detector output: EnsembleWatch over NAB, as the Brain runs it ----

    private static List<InsightCase> FromNab(string nabDir, int files)
    {
        var windowsFile = Path.Combine(nabDir, "labels", "combined_windows.json");
        if (!File.Exists(windowsFile))
            throw new DirectoryNotFoundException($"no NAB corpus at {Path.GetFullPath(nabDir)} (data/ and labels/combined_windows.json)");
        var labelled = JsonSerializer.Deserialize<Dictionary<string, string[][]>>(File.ReadAllText(windowsFile))!;
        var cases = new List<InsightCase>();
        for (var i = 0; i < files; i++)
        {
            var (file, cause) = NabFiles[i];
            var (times, values) = AlertNoiseBench.ReadCsv(Path.Combine(nabDir, "data", file), int.MaxValue);
            var host = $"host-{i + 1}";
            var stem = Path.GetFileNameWithoutExtension(file).Replace("_system_failure", "").Replace("_asg_misconfiguration", "");
            var metric = "nab_" + string.Concat(stem.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_'));
            var labels = new Dictionary<string, string> { [WellKnownLabels.Instance] = host, [WellKnownLabels.Job] = "nab" };
            var series = Series.Of(Tenant, new Dictionary<string, string>(labels) { [WellKnownLabels.MetricName] = metric });
            var windows = labelled.GetValueOrDefault(file, [])
                .Select(w => (From: AlertNoiseBench.ParseTime(w[0]), To: AlertNoiseBench.ParseTime(w[1]))).ToList();

            // The first unusual_behaviour anomaly opened inside a labelled window, else the first one at all.
            var watch = new EnsembleWatch(DetectionSettings.Recommended);
            var opened = new List<(Anomaly Anomaly, int Index)>();
            var resolvedAt = new Dictionary<string, int>();
            for (var j = 0; j < times.Length; j++)
                foreach (var change in watch.Observe(series, [new SamplePoint(times[j], values[j])]))
                {
                    if (change is AnomalyOpened { Anomaly.Kind: AnomalyKinds.Unusual } o)
                        opened.Add((o.Anomaly, j));
                    else if (change is AnomalyResolved r)
                        resolvedAt.TryAdd(r.Anomaly.Id, j);
                }
            if (opened.Count == 0)
            {
                Console.WriteLine($"  {file}: the ensemble opened no anomaly, no case");
                continue;
            }
            var (anomaly, index) = opened.FirstOrDefault(a => windows.Any(w => a.Anomaly.OpenedAt.ToUnixTimeMilliseconds() >= w.From && a.Anomaly.OpenedAt.ToUnixTimeMilliseconds() <= w.To));
            if (anomaly is null)
                (anomaly, index) = opened[0];
            var expected = ExpectedIn(anomaly.Evidence);
            var causeFact = cause is null ? CauseStated : Cause(cause);

            MemberFacts Member(int upTo, DateTimeOffset? resolved) => new(metric, labels, anomaly.Kind, anomaly.Detector, anomaly.OpenedAt, resolved,
                Recent(times, values, upTo), anomaly.Evidence, anomaly.Score, expected);

            var open = Incident($"nab-{i + 1}", $"{metric} on {host}", new Dictionary<string, string> { [WellKnownLabels.Instance] = host },
                anomaly.OpenedAt, null, [Member(index, null)]);
            var facts = new List<RequiredFact> { Where(host), Metric(metric), Since(anomaly.OpenedAt), Value("latest value", values[index]) };
            if (expected is { } e)
                facts.Add(Value("expected value", e));
            facts.AddRange([causeFact, NextStep]);
            cases.Add(new InsightCase($"nab {stem} (open)", open, facts));

            // Every third one also as its follow-up once resolved.
            if (i % 3 == 0 && resolvedAt.TryGetValue(anomaly.Id, out var end))
            {
                var endAt = DateTimeOffset.FromUnixTimeMilliseconds(times[end]);
                var resolved = open with { State = "resolved", ResolvedAt = endAt, Version = 2, Members = [Member(end, endAt)] };
                cases.Add(new InsightCase($"nab {stem} (resolved)", resolved,
                    [Where(host), Metric(metric), Since(anomaly.OpenedAt), Resolved, Lasted(endAt - anomaly.OpenedAt)]));
            }
        }
        return cases;
    }

    private static SamplePoint[] Recent(long[] times, double[] values, int upTo) =>
        Enumerable.Range(Math.Max(0, upTo - RecentValues + 1), Math.Min(RecentValues, upTo + 1))
            .Select(k => new SamplePoint(times[k], values[k])).ToArray();

    // EnsembleWatch.Describe: "<detector>: expected <e>, got <a> (score <s>)", strongest detector first.
    private static double? ExpectedIn(string? evidence) =>
        evidence is not null && Regex.Match(evidence, @"^[^:;]+: expected (?<e>[^,]+), got") is { Success: true } m
            && double.TryParse(m.Groups["e"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var e) ? e : null;

    // ---- Fault scenarios, as the Brain would send them ----

    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static IEnumerable<InsightCase> Scenarios()
    {
        // Target down: up 1 → 0.
        {
            var since = At(9, 14);
            var up = Points(since.AddMinutes(2), TimeSpan.FromMinutes(1), 1, 1, 1, 1, 0, 0, 0);
            var facts = Incident("down-1", "db-1:9100 down", Group("db-1:9100", "node"), since, null,
                [new MemberFacts("up", Group("db-1:9100", "node"), AnomalyKinds.TargetDown, "up", since, null, up, "up is 0 (was 1)")]);
            yield return new("target down: one target", facts,
                [Where("db-1:9100"), Fact("what", @"\bdown\b"), Since(since), Cause(@"crash|stopped|process"), NextStep]);
        }
        {
            var since = At(9, 40);
            var up = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 1, 1, 1, 0, 0, 0, 0);
            var facts = Incident("down-2", "web-2:9100 down", Group("web-2:9100", "node"), since, null,
                [new MemberFacts("up", Group("web-2:9100", "node"), AnomalyKinds.TargetDown, "up", since, null, up, "up is 0 (was 1)")],
                others: [new OtherAnomaly("up", Group("web-2:8080", "shop"), AnomalyKinds.TargetDown, since, "up is 0 (was 1)")]);
            yield return new("target down: two targets of one host", facts,
                [Where("web-2:9100"), Fact("what", @"\bdown\b"), Since(since), Fact("other target down", @"web-2:8080"),
                    Cause(@"host|network"), NextStep]);
        }
        {
            var since = At(10, 2);
            var end = since.AddMinutes(7);
            var up = Points(end, TimeSpan.FromMinutes(1), 1, 0, 0, 0, 0, 0, 0, 0, 1);
            var facts = Incident("down-3", "cache-1:9121 down", Group("cache-1:9121", "redis"), since, end,
                [new MemberFacts("up", Group("cache-1:9121", "redis"), AnomalyKinds.TargetDown, "up", since, end, up, "up is 0 (was 1)")]);
            yield return new("target down: resolved", facts,
                [Where("cache-1:9121"), Fact("what", @"\bdown\b"), Since(since), Resolved, Lasted(end - since)]);
        }

        // Disk filling: node_filesystem_avail_bytes falling, with an exhaustion time.
        {
            var since = At(11, 20);
            var last = since.AddMinutes(30);
            var avail = Points(last, TimeSpan.FromMinutes(10), 14e9, 13.1e9, 12e9, 10.9e9, 9.7e9, 8.4e9, 7.2e9, 6.1e9, 5e9, 4.1e9, 3.1e9);
            var labels = new Dictionary<string, string>(Group("web-3:9100", "node")) { ["mountpoint"] = "/var", ["device"] = "/dev/sda1", ["fstype"] = "ext4" };
            var exhaustion = last.AddHours(5);
            var facts = Incident("disk-1", "web-3:9100 disk", Group("web-3:9100", "node"), since, null,
                [new MemberFacts("node_filesystem_avail_bytes", labels, AnomalyKinds.PredictedExhaustion, "ensemble/trend", since, null, avail,
                    "reaches 0 in 5.0 h (between 3.8 h and 6.9 h) at -6.3e+08/h", 0.93, ExhaustionAt: exhaustion)]);
            yield return new("disk filling: forecast to run out", facts,
                [Where("web-3:9100"), Metric("node_filesystem_avail_bytes"), Fact("mountpoint", "/var"), Since(since),
                    Bytes("latest value", 3.1e9), Fact("runs out at", Hm(exhaustion)), Cause("disk"), NextStep]);
        }
        {
            var since = At(13, 5);
            var avail = Points(since.AddMinutes(2), TimeSpan.FromMinutes(1), 211e9, 210e9, 209e9, 208e9, 120e9, 61e9, 48e9);
            var labels = new Dictionary<string, string>(Group("db-2:9100", "node")) { ["mountpoint"] = "/data", ["device"] = "/dev/nvme1n1" };
            var facts = Incident("disk-2", "db-2:9100 disk", Group("db-2:9100", "node"), since, null,
                [new MemberFacts("node_filesystem_avail_bytes", labels, AnomalyKinds.Unusual, "ensemble/Ewma", since, null, avail,
                    "Ewma: expected 2.1e+11, got 1.2e+11 (score 0.97)", 0.97, 210e9, 195e9, 225e9)]);
            yield return new("disk filling: sudden drop", facts,
                [Where("db-2:9100"), Metric("node_filesystem_avail_bytes"), Fact("mountpoint", "/data"), Since(since),
                    Bytes("latest value", 48e9), Bytes("expected value", 210e9), Cause("disk"), NextStep]);
        }
        {
            var since = At(2, 10);
            var end = since.AddHours(3);
            var avail = Points(end, TimeSpan.FromMinutes(20), 2.1e9, 1.8e9, 1.5e9, 1.2e9, 0.9e9, 0.7e9, 0.6e9, 0.5e9, 0.5e9, 9.8e9);
            var labels = new Dictionary<string, string>(Group("web-4:9100", "node")) { ["mountpoint"] = "/var" };
            var facts = Incident("disk-3", "web-4:9100 disk", Group("web-4:9100", "node"), since, end,
                [new MemberFacts("node_filesystem_avail_bytes", labels, AnomalyKinds.PredictedExhaustion, "ensemble/trend", since, end, avail,
                    "reaches 0 in 2.5 h (between 1.9 h and 3.4 h) at -9e+08/h", 0.9, ExhaustionAt: since.AddHours(2.5))]);
            yield return new("disk filling: resolved", facts,
                [Where("web-4:9100"), Metric("node_filesystem_avail_bytes"), Fact("mountpoint", "/var"), Since(since), Resolved, Lasted(end - since)]);
        }

        // Memory leak: available memory falling, the process' RSS rising with it.
        {
            var since = At(14, 30);
            var last = since.AddMinutes(40);
            var avail = Points(last, TimeSpan.FromMinutes(20), 6.2e9, 5.7e9, 5.1e9, 4.6e9, 4e9, 3.5e9, 3e9, 2.4e9, 1.9e9, 1.4e9);
            var exhaustion = last.AddMinutes(90);
            var facts = Incident("mem-1", "app-3:9100 memory", Group("app-3:9100", "node"), since, null,
                [new MemberFacts("node_memory_MemAvailable_bytes", Group("app-3:9100", "node"), AnomalyKinds.PredictedExhaustion, "ensemble/trend",
                    since, null, avail, "reaches 0 in 1.5 h (between 1.1 h and 2.2 h) at -1.6e+09/h", 0.91, ExhaustionAt: exhaustion)],
                correlated: [new CorrelatedSeries("process_resident_memory_bytes", Group("app-3:9100", "api"), -0.98, 1.1e9, 5.6e9)]);
            yield return new("memory leak: forecast to run out, RSS correlated", facts,
                [Where("app-3:9100"), Metric("node_memory_MemAvailable_bytes"), Since(since), Bytes("latest value", 1.4e9),
                    Fact("runs out at", Hm(exhaustion)), Cause(@"memory|leak"), Fact("correlated series", "process_resident_memory_bytes"), NextStep]);
        }
        {
            var since = At(16, 45);
            var ws = Points(since.AddMinutes(5), TimeSpan.FromMinutes(5), 4.1e8, 4.3e8, 5.2e8, 7.9e8, 1.2e9, 1.9e9);
            var labels = new Dictionary<string, string> { [WellKnownLabels.Instance] = "k8s-node-2:10250", ["namespace"] = "shop", ["pod"] = "orders-7d9f", ["container"] = "orders" };
            var group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "k8s-node-2:10250", ["pod"] = "orders-7d9f" };
            var facts = Incident("mem-2", "orders memory", group, since, null,
                [new MemberFacts("container_memory_working_set_bytes", labels, AnomalyKinds.Unusual, "ensemble/Ewma", since, null, ws,
                    "Ewma: expected 4.1e+08, got 1.2e+09 (score 0.99)", 0.99, 4.1e8)]);
            yield return new("memory leak: container working set", facts,
                [Where("k8s-node-2:10250"), Fact("pod", "orders-7d9f"), Metric("container_memory_working_set_bytes"), Since(since),
                    Bytes("latest value", 1.9e9), Bytes("expected value", 4.1e8), Cause(@"memory|leak"), NextStep]);
        }
        {
            var since = At(3, 55);
            var avail = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 3.9e9, 3.8e9, 3.9e9, 0.9e9, 0.3e9, 0.21e9, 0.2e9);
            var oom = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 0, 0, 0, 0, 1, 2, 2);
            var facts = Incident("mem-3", "db-3:9100 memory", Group("db-3:9100", "node"), since, null,
            [
                new MemberFacts("node_memory_MemAvailable_bytes", Group("db-3:9100", "node"), AnomalyKinds.Unusual, "ensemble/Ewma", since, null, avail,
                    "Ewma: expected 3.9e+09, got 9e+08 (score 0.98)", 0.98, 3.9e9),
                new MemberFacts("node_vmstat_oom_kill", Group("db-3:9100", "node"), AnomalyKinds.Unusual, "ensemble/Spike", since.AddMinutes(1), null, oom,
                    "Spike: expected 0, got 1 (score 0.95)", 0.95, 0),
            ]);
            yield return new("memory exhausted: OOM kills in the same incident", facts,
                [Where("db-3:9100"), Metric("node_memory_MemAvailable_bytes"), Since(since), Bytes("latest value", 0.2e9),
                    Bytes("expected value", 3.9e9), Fact("second member", "node_vmstat_oom_kill"), Cause(@"memory|leak|oom"), NextStep]);
        }

        // CPU saturation, the load rising with it.
        const string cpu = "instance:node_cpu_utilisation:rate5m";
        {
            var since = At(8, 5);
            var util = Points(since.AddMinutes(4), TimeSpan.FromMinutes(1), 0.35, 0.38, 0.41, 0.62, 0.91, 0.97, 0.98, 0.98);
            var facts = Incident("cpu-1", "batch-1:9100 cpu", Group("batch-1:9100", "node"), since, null,
                [new MemberFacts(cpu, Group("batch-1:9100", "node"), AnomalyKinds.Unusual, "ensemble/Ewma", since, null, util,
                    "Ewma: expected 0.41, got 0.91 (score 0.97)", 0.97, 0.41, 0.22, 0.6)],
                correlated: [new CorrelatedSeries("node_load1", Group("batch-1:9100", "node"), 0.94, 1.3, 7.9)]);
            yield return new("cpu saturation: load correlated", facts,
                [Where("batch-1:9100"), Metric(cpu), Since(since), Value("latest value", 0.98, ratio: true), Value("expected value", 0.41, ratio: true),
                    Cause("cpu"), Fact("correlated series", "node_load1"), NextStep]);
        }
        {
            var since = At(12, 31);
            var util = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 0.22, 0.25, 0.24, 0.71, 0.93, 0.95, 0.96);
            var facts = Incident("cpu-2", "web-5:9100 cpu", Group("web-5:9100", "node"), since, null,
                [new MemberFacts(cpu, Group("web-5:9100", "node"), AnomalyKinds.Unusual, "ensemble/Ewma", since, null, util,
                    "Ewma: expected 0.24, got 0.71 (score 0.96)", 0.96, 0.24)],
                others: [new OtherAnomaly("http_server_request_duration_seconds", Group("web-5:8080", "shop"), AnomalyKinds.Unusual, since.AddMinutes(2),
                    "Ewma: expected 0.12, got 0.9 (score 0.93)")],
                correlated: [new CorrelatedSeries("node_load15", Group("web-5:9100", "node"), 0.81, 2.1, 6.4)]);
            yield return new("cpu saturation: latency anomaly on the host", facts,
                [Where("web-5:9100"), Metric(cpu), Since(since), Value("latest value", 0.96, ratio: true), Value("expected value", 0.24, ratio: true),
                    Cause("cpu"), Fact("correlated series", "node_load15"), Fact("other anomaly", "http_server_request_duration_seconds"), NextStep]);
        }
        {
            var since = At(19, 12);
            var end = since.AddMinutes(25);
            var util = Points(end, TimeSpan.FromMinutes(5), 0.3, 0.92, 0.95, 0.97, 0.96, 0.94, 0.41);
            var facts = Incident("cpu-3", "batch-2:9100 cpu", Group("batch-2:9100", "node"), since, end,
                [new MemberFacts(cpu, Group("batch-2:9100", "node"), AnomalyKinds.Unusual, "ensemble/Ewma", since, end, util,
                    "Ewma: expected 0.3, got 0.92 (score 0.96)", 0.96, 0.3)]);
            yield return new("cpu saturation: resolved", facts,
                [Where("batch-2:9100"), Metric(cpu), Since(since), Resolved, Lasted(end - since)]);
        }

        // Error-rate spike with a correlated latency rise.
        const string errors = "service:http_5xx_ratio:rate5m";
        const string latency = "service:http_request_duration_seconds:p99";
        {
            var since = At(15, 2);
            var ratio = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 0.002, 0.0021, 0.0019, 0.031, 0.064, 0.081, 0.087);
            var group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "checkout-1:8080", [WellKnownLabels.Job] = "checkout" };
            var facts = Incident("err-1", "checkout errors", group, since, null,
                [new MemberFacts(errors, group, AnomalyKinds.Unusual, "ensemble/Ewma", since, null, ratio,
                    "Ewma: expected 0.0021, got 0.031 (score 0.99)", 0.99, 0.0021)],
                correlated: [new CorrelatedSeries(latency, group, 0.91, 0.18, 1.7)]);
            yield return new("error-rate spike: latency correlated", facts,
                [Where("checkout-1:8080"), Metric(errors), Since(since), Value("latest value", 0.087, ratio: true), Value("expected value", 0.0021, ratio: true),
                    Cause("error"), Fact("correlated series", Regex.Escape(latency)), NextStep]);
        }
        {
            var since = At(17, 48);
            var ratio = Points(since.AddMinutes(2), TimeSpan.FromMinutes(1), 0.004, 0.005, 0.004, 0.12, 0.19, 0.21);
            var group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "payments-2:8080", [WellKnownLabels.Job] = "payments" };
            var facts = Incident("err-2", "payments errors", group, since, null,
                [new MemberFacts(errors, group, AnomalyKinds.Unusual, "ensemble/Ewma", since, null, ratio,
                    "Ewma: expected 0.0045, got 0.12 (score 0.99)", 0.99, 0.0045)],
                correlated: [new CorrelatedSeries(latency, group, 0.88, 0.09, 0.64),
                    new CorrelatedSeries("process_cpu_seconds_total", group, 0.42, 0.31, 0.38)]);
            yield return new("error-rate spike: latency and cpu correlated", facts,
                [Where("payments-2:8080"), Metric(errors), Since(since), Value("latest value", 0.21, ratio: true), Value("expected value", 0.0045, ratio: true),
                    Cause("error"), Fact("correlated series", Regex.Escape(latency)), NextStep]);
        }
        {
            var since = At(20, 3);
            var ratio = Points(since.AddMinutes(2), TimeSpan.FromMinutes(1), 0.001, 0.001, 0.002, 0.074, 0.09, 0.11);
            var group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "search-1:8080", [WellKnownLabels.Job] = "search" };
            var facts = Incident("err-3", "search errors", group, since, null,
                [new MemberFacts("http_server_errors_ratio", group, AnomalyKinds.Unusual, "ensemble/Ewma", since, null, ratio,
                    "Ewma: expected 0.0013, got 0.074 (score 0.98)", 0.98, 0.0013)]);
            yield return new("error-rate spike: nothing correlated", facts,
                [Where("search-1:8080"), Metric("http_server_errors_ratio"), Since(since), Value("latest value", 0.11, ratio: true),
                    Value("expected value", 0.0013, ratio: true), Cause("error"), NextStep]);
        }
        {
            var since = At(21, 40);
            var end = since.AddMinutes(12);
            var ratio = Points(end, TimeSpan.FromMinutes(2), 0.003, 0.061, 0.072, 0.07, 0.044, 0.012, 0.003);
            var group = new Dictionary<string, string> { [WellKnownLabels.Instance] = "checkout-2:8080", [WellKnownLabels.Job] = "checkout" };
            var facts = Incident("err-4", "checkout errors", group, since, end,
                [new MemberFacts(errors, group, AnomalyKinds.Unusual, "ensemble/Ewma", since, end, ratio,
                    "Ewma: expected 0.003, got 0.061 (score 0.98)", 0.98, 0.003)],
                correlated: [new CorrelatedSeries(latency, group, 0.86, 0.2, 1.1)]);
            yield return new("error-rate spike: resolved", facts,
                [Where("checkout-2:8080"), Metric(errors), Since(since), Resolved, Lasted(end - since)]);
        }

        // Latency alone.
        {
            var since = At(6, 18);
            var p99 = Points(since.AddMinutes(3), TimeSpan.FromMinutes(1), 0.24, 0.26, 0.25, 1.3, 2.2, 2.5, 2.4);
            var facts = Incident("lat-1", "api-2:8080 latency", Group("api-2:8080", "api"), since, null,
                [new MemberFacts("api_request_latency_seconds_p99", Group("api-2:8080", "api"), AnomalyKinds.Unusual, "ensemble/Ewma", since, null, p99,
                    "Ewma: expected 0.25, got 1.3 (score 0.98)", 0.98, 0.25)]);
            yield return new("latency rise", facts,
                [Where("api-2:8080"), Metric("api_request_latency_seconds_p99"), Since(since), Value("latest value", 2.4), Value("expected value", 0.25),
                    Cause(@"latency|slow"), NextStep]);
        }

        // Prometheus alerts with their annotations.
        {
            var since = At(4, 27);
            var labels = new Dictionary<string, string>
            {
                [WellKnownLabels.AlertName] = "NodeFilesystemAlmostOutOfSpace", [WellKnownLabels.Instance] = "nfs-1:9100", [WellKnownLabels.Job] = "node",
                ["mountpoint"] = "/export", ["severity"] = "warning",
            };
            var annotations = new Dictionary<string, string>
            {
                ["summary"] = "Filesystem has less than 5% space left.",
                ["description"] = "Filesystem on /dev/sdb1, mounted on /export, at nfs-1:9100 has only 4.2% available space left.",
                ["runbook_url"] = "https://runbooks.prometheus-operator.dev/runbooks/node/nodefilesystemalmostoutofspace",
            };
            var facts = Incident("alert-1", "NodeFilesystemAlmostOutOfSpace", Group("nfs-1:9100", "node"), since, null,
                [new MemberFacts("ALERTS", labels, AnomalyKinds.PrometheusAlert, "prometheus", since, null, [],
                    annotations["summary"] + " " + annotations["description"], Annotations: annotations)]);
            yield return new("prometheus alert: filesystem almost full", facts,
                [Fact("alert name", "NodeFilesystemAlmostOutOfSpace"), Where("nfs-1:9100"), Fact("mountpoint", "/export"), Since(since),
                    Fact("how full", @"4\.2 ?%"), Cause(@"disk|filesystem"), Fact("runbook", "runbooks.prometheus-operator.dev")]);
        }
        {
            var since = At(7, 51);
            var labels = new Dictionary<string, string>
            {
                [WellKnownLabels.AlertName] = "KubePodCrashLooping", ["namespace"] = "shop", ["pod"] = "cart-5c8d", ["container"] = "cart", ["severity"] = "warning",
            };
            var annotations = new Dictionary<string, string>
            {
                ["summary"] = "Pod is crash looping.",
                ["description"] = "Pod shop/cart-5c8d (cart) is in waiting state (reason: \"CrashLoopBackOff\").",
            };
            var facts = Incident("alert-2", "KubePodCrashLooping", new Dictionary<string, string> { ["namespace"] = "shop", ["pod"] = "cart-5c8d" }, since, null,
                [new MemberFacts("ALERTS", labels, AnomalyKinds.PrometheusAlert, "prometheus", since, null, [],
                    annotations["summary"] + " " + annotations["description"], Annotations: annotations)]);
            yield return new("prometheus alert: pod crash looping", facts,
                [Fact("alert name", "KubePodCrashLooping"), Fact("pod", "cart-5c8d"), Since(since), Cause(@"crash ?loop"), NextStep]);
        }
        {
            var since = At(22, 14);
            var end = since.AddMinutes(18);
            var labels = new Dictionary<string, string>
            {
                [WellKnownLabels.AlertName] = "HighRequestLatency", [WellKnownLabels.Instance] = "api-1:8080", [WellKnownLabels.Job] = "api", ["severity"] = "page",
            };
            var annotations = new Dictionary<string, string> { ["summary"] = "High request latency on api-1:8080.", ["description"] = "p99 latency is above 1 s for 10 minutes." };
            var facts = Incident("alert-3", "HighRequestLatency", Group("api-1:8080", "api"), since, end,
                [new MemberFacts("ALERTS", labels, AnomalyKinds.PrometheusAlert, "prometheus", since, end, [],
                    annotations["summary"] + " " + annotations["description"], Annotations: annotations)]);
            yield return new("prometheus alert: resolved", facts,
                [Fact("alert name", "HighRequestLatency"), Where("api-1:8080"), Since(since), Resolved, Lasted(end - since)]);
        }
    }

    private static IncidentFacts Incident(string id, string title, IReadOnlyDictionary<string, string> group, DateTimeOffset since, DateTimeOffset? resolvedAt,
        IReadOnlyList<MemberFacts> members, IReadOnlyList<OtherAnomaly>? others = null, IReadOnlyList<CorrelatedSeries>? correlated = null) =>
        new(id, 1, title, resolvedAt is null ? "open" : "resolved", group, since, resolvedAt, members, others ?? [], correlated ?? []);

    private static Dictionary<string, string> Group(string instance, string job) =>
        new() { [WellKnownLabels.Instance] = instance, [WellKnownLabels.Job] = job };

    private static DateTimeOffset At(int hour, int minute) => Day.AddHours(hour).AddMinutes(minute);

    /// <summary>Samples <paramref name="step"/> apart, oldest first, the last at <paramref name="last"/>.</summary>
    private static SamplePoint[] Points(DateTimeOffset last, TimeSpan step, params double[] values) =>
        values.Select((v, i) => new SamplePoint((last - step * (values.Length - 1 - i)).ToUnixTimeMilliseconds(), v)).ToArray();

    private static string Hm(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);

    // ---- Required facts ----

    private static RequiredFact Fact(string name, string pattern) => new(name, pattern);

    private static RequiredFact Where(string instance) => new("where", Regex.Escape(instance));

    private static RequiredFact Metric(string metric) => new("metric", Regex.Escape(metric));

    private static RequiredFact Since(DateTimeOffset since) => new("since", $@"\b{Hm(since)}\b");

    private static RequiredFact Cause(string words) => new("cause", words);

    private static readonly RequiredFact CauseStated = new("cause", @"\bcause");

    private static readonly RequiredFact NextStep = new("next step", @"next step|\bcheck\b|\bfind\b|\bfollow\b");

    private static readonly RequiredFact Resolved = new("resolved", @"\bresolved\b|\brecovered\b|\bended\b");

    private static RequiredFact Lasted(TimeSpan duration)
    {
        var said = IncidentText.Duration(duration).Split(' ');
        var unit = said[1].TrimEnd('s') switch
        {
            "second" => "s(ec(ond)?s?)?",
            "minute" => "min(ute)?s?",
            "hour" => "h(ou)?r?s?",
            _ => "d(ays?)?",
        };
        return new("duration", $@"\b{said[0]} ?{unit}\b");
    }

    /// <summary>A number as the summary writes it (<see cref="IncidentText.Number"/>), or a ratio as a percentage.</summary>
    private static RequiredFact Value(string name, double value, bool ratio = false)
    {
        var forms = new List<string> { IncidentText.Number(value) };
        if (ratio)
            forms.AddRange([Percent(value * 100, 0), Percent(value * 100, 1), Percent(value * 100, 2)]);
        return new(name, Alternatives(forms));
    }

    /// <summary>Bytes as the summary writes the number, or in GB/GiB (MB/MiB below a GB) to one decimal.</summary>
    private static RequiredFact Bytes(string name, double bytes)
    {
        var forms = new List<string> { IncidentText.Number(bytes) };
        foreach (var (unit, scale) in bytes >= 1e9 ? new[] { ("GB", 1e9), ("GiB", 1024d * 1024 * 1024) } : [("MB", 1e6), ("MiB", 1024d * 1024)])
        {
            forms.Add(Math.Round(bytes / scale, 1).ToString("0.#", CultureInfo.InvariantCulture) + " ?" + unit);
            forms.Add(Math.Round(bytes / scale).ToString("0", CultureInfo.InvariantCulture) + " ?" + unit);
        }
        return new(name, string.Join('|', forms.Select(f => f.Contains(' ') ? $@"(?<![\d.]){f.Replace(".", @"\.")}\b" : Bounded(f))));
    }

    private static string Percent(double value, int decimals) =>
        Math.Round(value, decimals).ToString(decimals == 0 ? "0" : "0." + new string('#', decimals), CultureInfo.InvariantCulture) + " ?%";

    private static string Alternatives(IEnumerable<string> forms) =>
        string.Join('|', forms.Distinct().Select(f => f.EndsWith(" ?%", StringComparison.Ordinal)
            ? $@"(?<![\d.]){Regex.Escape(f[..^3])} ?%"
            : Bounded(f)));

    private static string Bounded(string number) => $@"(?<![\d.]){Regex.Escape(number)}(?![\d])";
}
