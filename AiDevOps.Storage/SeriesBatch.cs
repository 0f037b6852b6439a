using AiDevOps.Contracts;

namespace AiDevOps.Storage;

/// <summary>
/// A batch of samples by series in the order the store writes it: by tenant, then by series id, each series once.
/// Ingest hands batches over in this order, so the store only checks it, with no per-series sets or groupings of its
/// own (at 10,000 series a request, each of those was a new array on the large object heap).
/// </summary>
public static class SeriesBatch
{
    /// <summary>
    /// Sorts <paramref name="batch"/> into store order in place; a series given more than once keeps one entry, with
    /// all its samples in time order.
    /// </summary>
    public static void Order(List<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch)
    {
        batch.Sort(static (a, b) => Compare(a.Series, b.Series));
        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (kept > 0 && Compare(batch[kept - 1].Series, batch[i].Series) == 0)
            {
                var joined = batch[kept - 1].Samples.Concat(batch[i].Samples).OrderBy(s => s.Timestamp).ToList();
                batch[kept - 1] = (batch[kept - 1].Series, joined);
            }
            else
                batch[kept++] = batch[i];
        }
        batch.RemoveRange(kept, batch.Count - kept);
    }

    /// <summary><paramref name="batch"/> itself when it is in store order, else an ordered copy.</summary>
    public static IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> Ordered(IReadOnlyList<(Series Series, IReadOnlyList<SamplePoint> Samples)> batch)
    {
        for (var i = 1; i < batch.Count; i++)
        {
            if (Compare(batch[i - 1].Series, batch[i].Series) >= 0)
            {
                var copy = new List<(Series Series, IReadOnlyList<SamplePoint> Samples)>(batch);
                Order(copy);
                return copy;
            }
        }
        return batch;
    }

    private static int Compare(Series a, Series b) =>
        string.CompareOrdinal(a.Tenant, b.Tenant) is var byTenant and not 0 ? byTenant : string.CompareOrdinal(a.Id, b.Id);
}
