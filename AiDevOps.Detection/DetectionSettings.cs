namespace AiDevOps.Detection;

/// <summary>The one default configuration plus overrides per metric family (matched by name prefix, longest wins).</summary>
public sealed class DetectionSettings(DetectionOptions defaults, IReadOnlyDictionary<string, DetectionOptions> families)
{
    /// <summary>node_exporter's free-space and available-memory gauges run out at 0.</summary>
    public static DetectionSettings Recommended { get; } = new(new DetectionOptions(), new Dictionary<string, DetectionOptions>
    {
        ["node_filesystem_avail"] = new() { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(4)) },
        ["node_memory_MemAvailable"] = new() { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(1)) },
    });

    public DetectionOptions Defaults => defaults;

    public DetectionOptions For(string metric)
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
