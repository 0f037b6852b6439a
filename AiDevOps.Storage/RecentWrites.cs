using System.Collections.Concurrent;

namespace AiDevOps.Storage;

/// <summary>
/// Items this process wrote lately (index entries, series sets) that never change: they are written again only to push
/// their expiry, at most once per <see cref="Refresh"/>.
/// </summary>
internal sealed class RecentWrites
{
    public static readonly TimeSpan Refresh = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(string Partition, string Sort), DateTimeOffset> _written = new();

    public bool NeedsWrite(string partition, string sort, DateTimeOffset now) =>
        !_written.TryGetValue((partition, sort), out var at) || now - at > Refresh;

    public void Written(IEnumerable<StoredItem> items, DateTimeOffset now)
    {
        foreach (var item in items)
            _written[(item.Partition, item.Sort)] = now;
    }
}
