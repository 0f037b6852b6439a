namespace AiDevOps.Detection;

/// <summary>The one default configuration plus overrides per metric family (matched by name prefix, longest wins).</summary>
public sealed class DetectionSettings(DetectorOptions defaults, IReadOnlyDictionary<string, DetectorOptions> families)
{
    /// <summary>
    /// Free space and available memory run out at 0, in every form an Agent sends them: node_exporter's own gauges
    /// when it scrapes (or Prometheus remote-writes) them (<c>node_filesystem_avail_bytes</c>,
    /// <c>node_memory_MemAvailable_bytes</c>) and the ratios its default PromQL queries store
    /// (<c>node_filesystem_available_ratio</c>, <c>node_memory_available_ratio</c>).
    /// </summary>
    public static DetectionSettings Recommended { get; } = new(new DetectorOptions(), new Dictionary<string, DetectorOptions>
    {
        ["node_filesystem_avail"] = new() { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(4)) },
        ["node_memory_MemAvailable"] = new() { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(1)) },
        ["node_memory_available"] = new() { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(1)) },
    });

    /// <summary>
    /// Name endings of monotonic counters: OpenMetrics requires <c>_total</c> of a counter, and a histogram's or
    /// summary's <c>_bucket</c>, <c>_count</c> and <c>_sum</c> only grow too. Remote-write carries no metric type, so
    /// the name is all there is to go by.
    /// </summary>
    private static readonly string[] CounterSuffixes = ["_total", "_bucket", "_count", "_sum"];

    public static bool IsCounter(string metric)
    {
        foreach (var suffix in CounterSuffixes)
        {
            if (metric.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The options of a metric: its family's (or the defaults), judged as a rate when it is a counter.</summary>
    public DetectorOptions For(string metric)
    {
        var options = FamilyOf(metric);
        return IsCounter(metric) && !options.Counter ? options with { Counter = true } : options;
    }

    private DetectorOptions FamilyOf(string metric)
    {
        var best = defaults;
        var bestLength = -1;
        foreach (var (prefix, options) in families)
        {
            if (prefix.Length > bestLength && metric.StartsWith(prefix, StringComparison.Ordinal))
            {
                best = options;
                bestLength = prefix.Length;
            }
        }

        return best;
    }
}
