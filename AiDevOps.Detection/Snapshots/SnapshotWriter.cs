using System.Buffers;
using System.Buffers.Binary;

namespace AiDevOps.Detection.Snapshots;

/// <summary>Little-endian binary encoding of detector state, so a restarted Brain resumes from the same numbers.</summary>
public sealed class SnapshotWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void Write(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Write(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Write(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Write(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Write(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
        {
            Write(value);
        }
    }
}
