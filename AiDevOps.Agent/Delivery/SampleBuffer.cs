using AiDevOps.Contracts;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// Samples waiting for the Brain, oldest first, bounded by a sample count: past the bound the oldest are dropped and
/// counted, so a long outage costs old data rather than the agent's memory. Delivery peeks a batch and commits it
/// only once the Brain has acknowledged it.
/// </summary>
public sealed class SampleBuffer(int maxSamples)
{
    private readonly LinkedList<SeriesSamples> _series = new();
    private readonly Lock _lock = new();
    private int _samples;

    public int Samples
    {
        get { lock (_lock) return _samples; }
    }

    /// <summary>Adds collected series; returns how many old samples were dropped to make room.</summary>
    public int Add(IEnumerable<SeriesSamples> series)
    {
        lock (_lock)
        {
            foreach (var s in series)
            {
                _series.AddLast(s);
                _samples += s.Samples.Count;
            }
            var dropped = 0;
            while (_samples > maxSamples && _series.First is { } oldest)
            {
                _series.RemoveFirst();
                _samples -= oldest.Value.Samples.Count;
                dropped += oldest.Value.Samples.Count;
            }
            return dropped;
        }
    }

    /// <summary>The oldest series up to <paramref name="maxSamples"/> samples (at least one series), left in place.</summary>
    public IReadOnlyList<SeriesSamples> Peek(int maxSamples)
    {
        lock (_lock)
        {
            var batch = new List<SeriesSamples>();
            var count = 0;
            foreach (var s in _series)
            {
                if (batch.Count > 0 && count + s.Samples.Count > maxSamples)
                    break;
                batch.Add(s);
                count += s.Samples.Count;
            }
            return batch;
        }
    }

    /// <summary>Removes a batch returned by <see cref="Peek"/> once it is delivered (unless it was dropped meanwhile).</summary>
    public void Commit(IReadOnlyList<SeriesSamples> delivered)
    {
        lock (_lock)
        {
            foreach (var s in delivered)
            {
                if (_series.First is { } first && ReferenceEquals(first.Value, s))
                {
                    _series.RemoveFirst();
                    _samples -= s.Samples.Count;
                }
            }
        }
    }
}
