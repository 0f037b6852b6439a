using System.Globalization;
using System.Text.Json;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Detection;
using AiDevOps.Contracts;
using AiDevOps.Detection;
using AiDevOps.Storage;

namespace AiDevOps.Bench;

/// <summary>
/// What the alert pipeline makes people hear on the NAB corpus. Every series is dealt round-robin to 8 hosts
/// (<c>instance="host-N"</c>) and shifted to start at one common moment, so a host's series run side by side as a
/// host's metrics do; each host also has an <c>up</c> series that goes to 0 for 4 minutes once. Everything runs in
/// the order of the samples' time, on the Brain's own classes: the detection sources as the Brain registers them
/// (<see cref="EnsembleWatch"/> with the recommended settings, <see cref="UpDetector"/>, idle series forgotten every
/// minute after <c>Detection:ForgetIdleSeries</c>), then the dispatcher's stages without I/O (<see cref="Inhibition"/>,
/// <see cref="Routing"/> with no routes configured, <see cref="IncidentBook"/>, its repeats checked every 30 s).
/// Quick: 8 files, their first 1,500 samples.
/// </summary>
internal static class AlertNoiseBench
{
    private const int Hosts = 8;
    private const string Tenant = "bench";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(4);
    // The Brain's cadences (AlertDispatcher's repeat check, DetectionService's idle sweep).
    private static readonly TimeSpan RepeatCheck = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan IdleSweep = TimeSpan.FromMinutes(1);

    private sealed record Replayed(Series Series, string File, int Host, long[] Times, double[] Values, List<(long From, long To)> Windows);

    public static int Run(string nabDir, bool quick)
    {
        var series = Load(nabDir, quick);
        var hostEnd = new long[Hosts];
        foreach (var s in series)
            hostEnd[s.Host] = Math.Max(hostEnd[s.Host], s.Times[^1]);
        var t0 = Start.ToUnixTimeMilliseconds();
        var up = Enumerable.Range(0, Hosts).Select(h => UpSeries(h, t0, hostEnd[h])).ToList();

        // One timeline: every sample of every series, in time order (ties in a fixed order).
        var timeline = new List<(long At, int Source, double Value)>();
        for (var i = 0; i < series.Count; i++)
            for (var j = 0; j < series[i].Times.Length; j++)
                timeline.Add((series[i].Times[j], i, series[i].Values[j]));
        for (var h = 0; h < Hosts; h++)
            timeline.AddRange(up[h].Samples.Select(p => (p.At, series.Count + h, p.Value)));
        timeline.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Source.CompareTo(b.Source));

        var ensemble = new EnsembleWatch(DetectionSettings.Recommended);
        var upDetector = new UpDetector();
        IAnomalySource[] sources = [upDetector, ensemble];
        var forgetIdle = new DetectionOptions().ForgetIdleSeries;
        var pipeline = new Pipeline();

        var nextRepeat = Start + RepeatCheck;
        var nextSweep = Start + IdleSweep;
        foreach (var (at, source, value) in timeline)
        {
            var now = DateTimeOffset.FromUnixTimeMilliseconds(at);
            while (nextRepeat <= now || nextSweep <= now)
            {
                if (nextSweep <= nextRepeat)
                {
                    foreach (var s in sources)
                        foreach (var change in s.Forget(nextSweep - forgetIdle, nextSweep).ToList())
                            pipeline.Dispatch(change, nextSweep);
                    nextSweep += IdleSweep;
                }
                else
                {
                    pipeline.Repeat(nextRepeat);
                    nextRepeat += RepeatCheck;
                }
            }
            var observed = source < series.Count ? series[source].Series : up[source - series.Count].Series;
            SamplePoint[] batch = [new(at, value)];
            foreach (var s in sources)
                foreach (var change in s.Observe(observed, batch).ToList())
                    pipeline.Dispatch(change, now);
        }

        return Report(series, hostEnd, t0, pipeline);
    }

    private static int Report(List<Replayed> series, long[] hostEnd, long t0, Pipeline pipeline)
    {
        var seriesDays = series.Sum(s => (s.Times[^1] - s.Times[0]) / 86_400_000.0);
        var hostHours = hostEnd.Sum(end => (end - t0) / 3_600_000.0);
        var windows = series.SelectMany(s => s.Windows.Select(w => (s.Series.Id, w.From, w.To))).ToList();
        bool Reached(Dictionary<string, List<long>> times, (string Id, long From, long To) w) =>
            times.TryGetValue(w.Id, out var at) && at.Any(t => t >= w.From && t <= w.To);
        var notified = windows.Count(w => Reached(pipeline.NewsFor, w));
        var loudly = windows.Count(w => Reached(pipeline.LoudNewsFor, w));
        var touched = windows.Count(w => Reached(pipeline.AnyFor, w));
        var share = windows.Count == 0 ? 0 : (double)notified / windows.Count;

        Console.WriteLine(FormattableString.Invariant(
            $"{series.Count} NAB series on {Hosts} hosts: {seriesDays:F1} series-days, {hostHours:F0} host-hours; {windows.Count} labelled windows"));
        Console.WriteLine(FormattableString.Invariant(
            $"anomalies: {pipeline.Opened.GetValueOrDefault(AnomalyKinds.Unusual)} {AnomalyKinds.Unusual}, {pipeline.Opened.GetValueOrDefault(AnomalyKinds.TargetDown)} {AnomalyKinds.TargetDown}, {pipeline.Opened.Where(o => o.Key is not AnomalyKinds.Unusual and not AnomalyKinds.TargetDown).Sum(o => o.Value)} other; {pipeline.Inhibited} changes inhibited"));
        Console.WriteLine($"incidents: {pipeline.Incidents.Count}; notifications by kind: " +
            string.Join(", ", Enum.GetValues<NotificationKind>().Select(k => $"{k.ToString().ToLowerInvariant()} {pipeline.Kinds.GetValueOrDefault(k)}")));
        Console.WriteLine($"loud pages: {pipeline.TargetDownPages + pipeline.UnusualPages} ({pipeline.TargetDownPages} with a target_down firing, expected {Hosts}; " +
            $"{pipeline.UnusualPages} without a firing paging member)");
        Console.WriteLine($"silent notifications (news of incidents that do not page): {pipeline.Silent}; edits (updated): {pipeline.Kinds.GetValueOrDefault(NotificationKind.Updated)}");
        // A host here carries about 5 series; a real one hundreds, whose anomalies can share an incident (an edit).
        var perSeriesHour = pipeline.Silent / (seriesDays * 24);
        Console.WriteLine(FormattableString.Invariant(
            $"silent per series-hour: {perSeriesHour:0.#####}; a host of 300 series at this rate, were no two of its anomalies open together: {perSeriesHour * 300:0.##} silent/h"));
        for (var h = 0; h < Hosts; h++)
        {
            var hours = (hostEnd[h] - t0) / 3_600_000.0;
            var silent = pipeline.SilentByHost.GetValueOrDefault(Host(h));
            Console.WriteLine(FormattableString.Invariant(
                $"  {Host(h)}: {series.Count(s => s.Host == h)} series, {hours:F0} h, {silent} silent ({silent / hours:F3}/h), {pipeline.LoudByHost.GetValueOrDefault(Host(h))} loud"));
        }
        Console.WriteLine(FormattableString.Invariant(
            $"labelled windows with news of their series' incident: {notified}/{windows.Count} ({share:P0}); loud: {loudly}; news or edit: {touched}"));

        var pagesPerSeriesDay = seriesDays > 0 ? pipeline.UnusualPages / seriesDays : 0;
        var silentPerHostHour = hostHours > 0 ? pipeline.Silent / hostHours : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"alert-noise\",\"pages_per_series_day\":{pagesPerSeriesDay:0.####},\"silent_per_host_hour\":{silentPerHostHour:0.####},\"windows_notified\":{share:0.###}}}"));
        return 0;
    }

    /// <summary>The dispatcher's stages in its order, less what needs I/O (silences, summaries, the outbox), and what they sent.</summary>
    private sealed class Pipeline
    {
        private readonly Inhibition _inhibition = new();
        private readonly IncidentBook _book = new();
        private readonly Receiver[] _receivers = [new("telegram", "-100")];

        public Dictionary<string, int> Opened { get; } = [];
        public int Inhibited { get; private set; }
        public HashSet<string> Incidents { get; } = [];
        public Dictionary<NotificationKind, int> Kinds { get; } = [];
        public int TargetDownPages { get; private set; }
        public int UnusualPages { get; private set; }
        public int Silent { get; private set; }
        public Dictionary<string, int> SilentByHost { get; } = [];
        public Dictionary<string, int> LoudByHost { get; } = [];

        /// <summary>When news (or loud news, or any notification) of an incident holding a member of the series went out, by series id.</summary>
        public Dictionary<string, List<long>> NewsFor { get; } = [];
        public Dictionary<string, List<long>> LoudNewsFor { get; } = [];
        public Dictionary<string, List<long>> AnyFor { get; } = [];

        public void Dispatch(AnomalyChange change, DateTimeOffset now)
        {
            if (change is AnomalyOpened opened)
                Opened[opened.Anomaly.Kind] = Opened.GetValueOrDefault(opened.Anomaly.Kind) + 1;
            if (_inhibition.Inhibits(change))
            {
                Inhibited++;
                return;
            }
            foreach (var match in Routing.Match(change.Anomaly.Series.Labels, [], _receivers))
            {
                if (_book.Apply(change, match.Route, [.. match.Receivers.Select(r => r.Id)], now) is { } update)
                    Count(update, now);
            }
        }

        public void Repeat(DateTimeOffset now)
        {
            foreach (var update in _book.DueForRepeat(now))
                Count(update, now);
        }

        private void Count(IncidentUpdate update, DateTimeOffset now)
        {
            var incident = update.Incident;
            var notification = new Notification(update.Kind, incident);
            var host = incident.Group.GetValueOrDefault(WellKnownLabels.Instance, "");
            Incidents.Add(incident.Id);
            Kinds[update.Kind] = Kinds.GetValueOrDefault(update.Kind) + 1;
            Note(AnyFor, incident, now);
            if (!notification.IsNews)
                return;
            Note(NewsFor, incident, now);
            if (notification.Pages)
            {
                Note(LoudNewsFor, incident, now);
                LoudByHost[host] = LoudByHost.GetValueOrDefault(host) + 1;
                if (incident.Firing.Any(Severity.Pages))
                    TargetDownPages++;
                else
                    UnusualPages++;
            }
            else
            {
                Silent++;
                SilentByHost[host] = SilentByHost.GetValueOrDefault(host) + 1;
            }
        }

        private static void Note(Dictionary<string, List<long>> times, Incident incident, DateTimeOffset now)
        {
            foreach (var id in incident.Members.Select(m => m.Series.Id).Distinct())
            {
                if (!times.TryGetValue(id, out var list))
                    times[id] = list = [];
                list.Add(now.ToUnixTimeMilliseconds());
            }
        }
    }

    private static string Host(int h) => $"host-{h}";

    /// <summary>A host's <c>up</c>: 1 every minute, except 4 minutes at 0, at (h+1)/9 of the host's span.</summary>
    private static (Series Series, List<(long At, double Value)> Samples) UpSeries(int host, long t0, long end)
    {
        var series = Series.Of(Tenant, new Dictionary<string, string>
        {
            [WellKnownLabels.MetricName] = UpDetector.Metric, [WellKnownLabels.Instance] = Host(host), [WellKnownLabels.Job] = "nab",
        });
        var minute = 60_000L;
        var down = t0 + (end - t0) * (host + 1) / (Hosts + 1) / minute * minute;
        var samples = new List<(long, double)>();
        for (var at = t0; at <= end; at += minute)
            samples.Add((at, at >= down && at < down + (long)Outage.TotalMilliseconds ? 0 : 1));
        return (series, samples);
    }

    private static List<Replayed> Load(string nabDir, bool quick)
    {
        var dataDir = Path.Combine(nabDir, "data");
        var windowsFile = Path.Combine(nabDir, "labels", "combined_windows.json");
        if (!Directory.Exists(dataDir) || !File.Exists(windowsFile))
            throw new DirectoryNotFoundException($"no NAB corpus at {Path.GetFullPath(nabDir)} (data/ and labels/combined_windows.json)");
        var labelled = JsonSerializer.Deserialize<Dictionary<string, string[][]>>(File.ReadAllText(windowsFile))!;
        var files = Directory.GetFiles(dataDir, "*.csv", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dataDir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (quick)
            files = [.. files.Where((_, i) => i % 5 == 0).Take(Hosts)];

        var loaded = new List<Replayed>();
        foreach (var file in files)
        {
            var (times, values) = ReadCsv(Path.Combine(dataDir, file), quick ? 1_500 : int.MaxValue);
            var shift = Start.ToUnixTimeMilliseconds() - times[0];
            for (var i = 0; i < times.Length; i++)
                times[i] += shift;
            var host = loaded.Count % Hosts;
            var series = Series.Of(Tenant, new Dictionary<string, string>
            {
                [WellKnownLabels.MetricName] = "nab_" + string.Concat(Path.GetFileNameWithoutExtension(file).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')),
                [WellKnownLabels.Instance] = Host(host),
                [WellKnownLabels.Job] = "nab",
            });
            var windows = labelled.GetValueOrDefault(file, [])
                .Select(w => (From: ParseTime(w[0]) + shift, To: ParseTime(w[1]) + shift))
                .Where(w => w.From <= times[^1])
                .ToList();
            loaded.Add(new Replayed(series, file, host, times, values, windows));
        }
        return loaded;
    }

    internal static (long[] Times, double[] Values) ReadCsv(string path, int limit)
    {
        var times = new List<long>();
        var values = new List<double>();
        using var reader = new StreamReader(path);
        var columns = (reader.ReadLine() ?? "").Split(',');
        var (timeColumn, valueColumn) = (Array.IndexOf(columns, "timestamp"), Array.IndexOf(columns, "value"));
        if (timeColumn < 0 || valueColumn < 0)
            throw new InvalidDataException($"{path} has no timestamp,value header");
        while (times.Count < limit && reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            var fields = line.Split(',');
            times.Add(ParseTime(fields[timeColumn]));
            values.Add(double.TryParse(fields[valueColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN);
        }
        return ([.. times], [.. values]);
    }

    internal static long ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeMilliseconds();
}
