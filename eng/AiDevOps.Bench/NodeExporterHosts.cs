using AiDevOps.Storage;
using AiDevOps.Contracts;

namespace AiDevOps.Bench;

/// <summary>
/// Series shaped like node_exporter's, in its proportions on an ordinary Linux host: many constants (sizes, info
/// metrics, up), CPU-seconds counters with USER_HZ hundredths, byte and packet counters with bursty integer
/// increments, page-granular memory gauges, load averages, and error counters that almost never move.
/// Deterministic (seeded), so runs compare.
/// </summary>
public sealed class NodeExporterHosts
{
    private readonly List<(Series Series, Func<double> Next)> _series = [];

    public NodeExporterHosts(string tenant, int seriesCount, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; _series.Count < seriesCount; i++)
        {
            var instance = $"host-{i / 50:D3}:9100";
            var kind = i % 20;
            var (metric, next) = kind switch
            {
                < 5 => ("node_filesystem_size_bytes", Constant(random.NextInt64(1L << 30, 1L << 42) & ~4095L)),
                < 6 => ("up", Constant(1)),
                < 10 => ("node_cpu_seconds_total", CpuSeconds(random)),
                < 14 => ("node_network_receive_bytes_total", ByteCounter(random)),
                < 16 => ("node_memory_MemAvailable_bytes", MemoryGauge(random)),
                < 18 => ("node_load1", LoadAverage(random)),
                _ => ("node_network_receive_errs_total", RareCounter(random)),
            };
            var labels = new Dictionary<string, string> { ["__name__"] = metric, ["instance"] = instance, ["job"] = "node", ["series"] = i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) };
            _series.Add((Series.Of(tenant, labels), next));
        }
    }

    public IReadOnlyList<Series> AllSeries => _series.Select(s => s.Series).ToList();

    /// <summary>One scrape of every series at <paramref name="timestamp"/>.</summary>
    public List<(Series, IReadOnlyList<SamplePoint>)> Scrape(long timestamp) =>
        _series.Select(s => (s.Series, (IReadOnlyList<SamplePoint>)[new SamplePoint(timestamp, s.Next())])).ToList();

    private static Func<double> Constant(double value) => () => value;

    private static Func<double> CpuSeconds(Random random)
    {
        var ticks = random.NextInt64(1_000_000, 100_000_000);
        var busy = random.NextDouble();
        return () =>
        {
            ticks += (long)(1500 * busy * (0.8 + 0.4 * random.NextDouble()));
            return ticks / 100.0;
        };
    }

    private static Func<double> ByteCounter(Random random)
    {
        var bytes = random.NextInt64(1L << 20, 1L << 40);
        var rate = random.Next(1_000, 2_000_000);
        return () => bytes += random.NextDouble() < 0.3 ? 0 : (long)(rate * 15 * random.NextDouble());
    }

    private static Func<double> MemoryGauge(Random random)
    {
        var pages = random.NextInt64(100_000, 4_000_000);
        return () => (pages += random.Next(-64, 65)) * 4096.0;
    }

    private static Func<double> LoadAverage(Random random)
    {
        var load = random.Next(0, 400);
        return () => (load = Math.Max(0, load + random.Next(-3, 4))) / 100.0;
    }

    private static Func<double> RareCounter(Random random)
    {
        var errors = 0L;
        return () => errors += random.NextDouble() < 0.001 ? 1 : 0;
    }
}
