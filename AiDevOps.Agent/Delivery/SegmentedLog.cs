using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;

namespace AiDevOps.Agent.Delivery;

/// <summary>Where a record sits in the queue: its segment and byte offset. Stable across restarts.</summary>
public readonly record struct QueuePosition(long Segment, long Offset)
{
    public override string ToString() => $"{Segment}-{Offset}";
}

/// <summary>A record waiting for delivery.</summary>
public sealed record QueuedRecord(QueuePosition Position, byte[] Payload, int Samples);

/// <summary>
/// A durable FIFO of records on disk: a segmented log plus a cursor, as Prometheus's WAL and the OpenTelemetry
/// Collector's persistent queue do. An append returns once the record is flushed to disk, so a collected sample
/// survives a crash or <c>kill -9</c>; a record leaves only when the consumer acknowledges it, so delivery is at
/// least once. The total size is bounded: past it the oldest segments are dropped and their samples counted.
/// </summary>
/// <remarks>
/// Record layout: payload length (u32), CRC-32 of the payload (u32), sample count (u32), payload. A torn or
/// corrupt tail (a crash mid-write) is cut off at start-up; records before it are kept.
/// </remarks>
public sealed class SegmentedLog : IDisposable
{
    private const int HeaderBytes = 12;
    private const string SegmentSuffix = ".seg";
    private const string CursorFile = "cursor";
    private const string IdentityFile = "id";

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly Lock _lock = new();
    // Per segment: its size and sample count, oldest first.
    private readonly SortedDictionary<long, (long Bytes, long Samples)> _segments = [];
    private FileStream _writer = null!;
    private long _activeSegment;
    private QueuePosition _cursor;
    private long _consumedSamplesInCursorSegment;
    private FileStream? _reader;
    private long _readerSegment = -1;

    public SegmentedLog(string directory, long maxBytes, long segmentBytes)
    {
        if (segmentBytes < 1024 || maxBytes < 2 * segmentBytes)
            throw new ArgumentException($"The queue needs room for at least two segments: max {maxBytes} bytes, segments of {segmentBytes} bytes.");
        _directory = directory;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(directory);
        Recover();
    }

    /// <summary>
    /// A random id made when the log is created. With a position it names a record uniquely even if the folder is
    /// wiped and positions start again (a new container without its volume).
    /// </summary>
    public string Id { get; private set; } = "";

    /// <summary>Bytes not yet acknowledged.</summary>
    public long PendingBytes
    {
        get { lock (_lock) return _segments.Where(s => s.Key >= _cursor.Segment).Sum(s => s.Value.Bytes) - _cursor.Offset; }
    }

    /// <summary>Samples not yet acknowledged.</summary>
    public long PendingSamples
    {
        get { lock (_lock) return _segments.Where(s => s.Key >= _cursor.Segment).Sum(s => s.Value.Samples) - _consumedSamplesInCursorSegment; }
    }

    /// <summary>Appends a record and flushes it to disk; returns how many old samples were dropped to stay in bounds.</summary>
    public long Append(ReadOnlySpan<byte> payload, int samples)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)samples);
        lock (_lock)
        {
            if (_writer.Length > 0 && _writer.Length + HeaderBytes + payload.Length > _segmentBytes)
                StartSegment(_activeSegment + 1);
            _writer.Write(header);
            _writer.Write(payload);
            _writer.Flush(flushToDisk: true);
            var (bytes, count) = _segments[_activeSegment];
            _segments[_activeSegment] = (bytes + HeaderBytes + payload.Length, count + samples);
            return DropOldestBeyondLimit();
        }
    }

    /// <summary>The oldest record not yet acknowledged, or null when the queue is empty.</summary>
    public QueuedRecord? Peek()
    {
        lock (_lock)
        {
            while (true)
            {
                var (bytes, _) = _segments[_cursor.Segment];
                if (_cursor.Offset < bytes)
                    return ReadAt(_cursor);
                if (_cursor.Segment == _activeSegment)
                    return null;
                MoveCursor(new QueuePosition(_segments.Keys.First(k => k > _cursor.Segment), 0), 0);
            }
        }
    }

    /// <summary>Marks a peeked record delivered; the cursor is persisted before this returns.</summary>
    public void Acknowledge(QueuedRecord record)
    {
        lock (_lock)
        {
            // The record may have been dropped meanwhile (queue full): then the cursor is already past it.
            if (record.Position != _cursor)
                return;
            MoveCursor(record.Position with { Offset = record.Position.Offset + HeaderBytes + record.Payload.Length },
                _consumedSamplesInCursorSegment + record.Samples);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _reader?.Dispose();
            _writer.Dispose();
        }
    }

    private QueuedRecord ReadAt(QueuePosition position)
    {
        if (_readerSegment != position.Segment)
        {
            _reader?.Dispose();
            _reader = new FileStream(SegmentPath(position.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _readerSegment = position.Segment;
        }
        _reader!.Position = position.Offset;
        Span<byte> header = stackalloc byte[HeaderBytes];
        _reader.ReadExactly(header);
        var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
        _reader.ReadExactly(payload);
        return new QueuedRecord(position, payload, (int)BinaryPrimitives.ReadUInt32LittleEndian(header[8..]));
    }

    private void MoveCursor(QueuePosition cursor, long consumedSamples)
    {
        var path = Path.Combine(_directory, CursorFile);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{cursor.Segment} {cursor.Offset} {consumedSamples}")));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        _cursor = cursor;
        _consumedSamplesInCursorSegment = consumedSamples;
        // Segments wholly before the cursor are delivered.
        foreach (var old in _segments.Keys.Where(k => k < cursor.Segment).ToList())
            DeleteSegment(old);
    }

    private long DropOldestBeyondLimit()
    {
        long dropped = 0;
        while (_segments.Values.Sum(s => s.Bytes) > _maxBytes && _segments.Count > 1)
        {
            var oldest = _segments.Keys.First();
            var (_, samples) = _segments[oldest];
            if (oldest >= _cursor.Segment)
            {
                dropped += oldest == _cursor.Segment ? samples - _consumedSamplesInCursorSegment : samples;
                MoveCursor(new QueuePosition(_segments.Keys.First(k => k > oldest), 0), 0);
            }
            if (_segments.ContainsKey(oldest))
                DeleteSegment(oldest);
        }
        return dropped;
    }

    private void StartSegment(long segment)
    {
        _writer?.Dispose();
        _activeSegment = segment;
        _writer = new FileStream(SegmentPath(segment), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read | FileShare.Delete);
        _writer.Seek(0, SeekOrigin.End);
        _segments.TryAdd(segment, (_writer.Length, 0));
    }

    private void DeleteSegment(long segment)
    {
        if (_readerSegment == segment)
        {
            _reader?.Dispose();
            _reader = null;
            _readerSegment = -1;
        }
        _segments.Remove(segment);
        File.Delete(SegmentPath(segment));
    }

    private string SegmentPath(long segment) =>
        Path.Combine(_directory, segment.ToString("D12", CultureInfo.InvariantCulture) + SegmentSuffix);

    /// <summary>Rebuilds the in-memory view from disk: sizes and sample counts per segment, a cut torn tail, the cursor.</summary>
    private void Recover()
    {
        var identity = Path.Combine(_directory, IdentityFile);
        if (!File.Exists(identity))
            File.WriteAllText(identity, Guid.NewGuid().ToString("N"));
        Id = File.ReadAllText(identity).Trim();

        var segments = Directory.GetFiles(_directory, "*" + SegmentSuffix)
            .Select(path => long.Parse(Path.GetFileNameWithoutExtension(path), CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        foreach (var segment in segments)
            _segments[segment] = Scan(segment);

        StartSegment(segments.Count > 0 ? segments[^1] : 1);

        var cursorPath = Path.Combine(_directory, CursorFile);
        var saved = File.Exists(cursorPath) ? File.ReadAllText(cursorPath).Split(' ') : [];
        var cursor = saved.Length == 3
            ? new QueuePosition(long.Parse(saved[0], CultureInfo.InvariantCulture), long.Parse(saved[1], CultureInfo.InvariantCulture))
            : new QueuePosition(_segments.Keys.First(), 0);
        var consumed = saved.Length == 3 ? long.Parse(saved[2], CultureInfo.InvariantCulture) : 0;
        if (!_segments.ContainsKey(cursor.Segment))
            (cursor, consumed) = (new QueuePosition(_segments.Keys.First(k => k >= Math.Min(cursor.Segment, _activeSegment)), 0), 0);
        _cursor = cursor;
        _consumedSamplesInCursorSegment = consumed;
    }

    /// <summary>Counts a segment's valid records; truncates it after the last one (a crash may have torn the tail).</summary>
    private (long Bytes, long Samples) Scan(long segment)
    {
        using var file = new FileStream(SegmentPath(segment), FileMode.Open, FileAccess.ReadWrite);
        Span<byte> header = stackalloc byte[HeaderBytes];
        long valid = 0, samples = 0;
        var payload = Array.Empty<byte>();
        while (file.Length - valid >= HeaderBytes)
        {
            file.Position = valid;
            file.ReadExactly(header);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length > file.Length - valid - HeaderBytes)
                break;
            if (payload.Length < length)
                payload = new byte[length];
            file.ReadExactly(payload.AsSpan(0, (int)length));
            if (Crc32.HashToUInt32(payload.AsSpan(0, (int)length)) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
                break;
            valid += HeaderBytes + length;
            samples += BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        }
        if (valid < file.Length)
            file.SetLength(valid);
        return (valid, samples);
    }
}
