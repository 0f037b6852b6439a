using System.Buffers.Binary;

namespace AiDevOps.Detection.Snapshots;

/// <summary>Reads what <see cref="SnapshotWriter"/> wrote, in the same order.</summary>
public sealed class SnapshotReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    public bool AtEnd => _position == data.Length;

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public void Read(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadSingle();
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_position + count > data.Length)
        {
            throw new InvalidDataException("The detector snapshot is truncated.");
        }

        var span = data.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
