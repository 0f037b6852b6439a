using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Where anomalies come from: the <c>up</c> watch, the detection ensemble, the agents' dead man's switch, Prometheus's
/// own alerts. Each is plain state with no I/O (time is the samples' or the caller's); <see cref="DetectionService"/>
/// drives them all the same way and records what they change, so a new source is one class and one registration.
/// A source answers only the calls that concern it; the others change nothing.
/// </summary>
public interface IAnomalySource
{
    /// <summary>
    /// Takes back an anomaly that was open before a restart, when it is this source's, so its end resolves it; what
    /// can no longer end by itself resolves at once.
    /// </summary>
    IEnumerable<AnomalyChange> Restore(Anomaly open, DateTimeOffset now) => [];

    /// <summary>Judges the stored samples of one series, as one delivery brought them.</summary>
    IEnumerable<AnomalyChange> Observe(Series series, IReadOnlyList<SamplePoint> samples) => [];

    /// <summary>What the passing of time changed by <paramref name="now"/> (alerts that expired, agents that fell silent).</summary>
    IEnumerable<AnomalyChange> Tick(DateTimeOffset now) => [];

    /// <summary>
    /// Drops what the source keeps of series idle since before <paramref name="cutoff"/>: pods and jobs come and go,
    /// and a watch that never forgot would grow with every series ever seen. Their open anomalies resolve, as the
    /// series are gone.
    /// </summary>
    IEnumerable<AnomalyChange> Forget(DateTimeOffset cutoff, DateTimeOffset now) => [];
}

/// <summary>How series-keyed sources forget idle series, one rule for all of them.</summary>
public static class IdleSeries
{
    /// <summary>
    /// Removes every entry whose last activity (its last sample, or the opening of an anomaly it has open, which is
    /// all a source knows of a series taken back after a restart) is before <paramref name="cutoff"/>, and returns
    /// the resolution of each anomaly it had open.
    /// </summary>
    public static List<AnomalyChange> Forget<TKey, TState>(
        Dictionary<TKey, TState> states, DateTimeOffset cutoff, DateTimeOffset now, Func<TState, long> lastSample, Func<TState, IEnumerable<Anomaly?>> open)
        where TKey : notnull
    {
        var resolved = new List<AnomalyChange>();
        var before = cutoff.ToUnixTimeMilliseconds();
        foreach (var (key, state) in states.ToList())
        {
            var anomalies = open(state).OfType<Anomaly>().ToList();
            var lastActive = anomalies.Select(a => a.OpenedAt.ToUnixTimeMilliseconds()).Append(lastSample(state)).Max();
            if (lastActive >= before)
                continue;
            states.Remove(key);
            resolved.AddRange(anomalies.Select(a => a.Resolve(now)));
        }
        return resolved;
    }
}
