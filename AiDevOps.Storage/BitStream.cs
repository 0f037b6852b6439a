namespace AiDevOps.Storage;

/// <summary>Appends bits most-significant first, the order Gorilla's layout is described in.</summary>
internal sealed class BitWriter
{
    private readonly List<byte> _bytes = [];
    private ulong _pending;
    private int _pendingBits;

    public void WriteBit(bool bit) => WriteBits(bit ? 1UL : 0UL, 1);

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (0 to 64).</summary>
    public void WriteBits(ulong value, int count)
    {
        while (count > 0)
        {
            var take = Math.Min(count, 8);
            count -= take;
            var bits = (value >> count) & ((1UL << take) - 1);
            _pending = (_pending << take) | bits;
            _pendingBits += take;
            if (_pendingBits >= 8)
            {
                _pendingBits -= 8;
                _bytes.Add((byte)(_pending >> _pendingBits));
                _pending &= (1UL << _pendingBits) - 1;
            }
        }
    }

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteBits((value & 0x7F) | 0x80, 8);
            value >>= 7;
        }
        WriteBits(value, 8);
    }

    /// <summary>The bits written so far, the last byte padded with zeros.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[_bytes.Count + (_pendingBits > 0 ? 1 : 0)];
        _bytes.CopyTo(bytes);
        if (_pendingBits > 0)
            bytes[^1] = (byte)(_pending << (8 - _pendingBits));
        return bytes;
    }
}

internal ref struct BitReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private long _position;

    public bool ReadBit() => ReadBits(1) == 1;

    public ulong ReadBits(int count)
    {
        if (_position + count > (long)_bytes.Length * 8)
            throw new FormatException("The encoded data end before the samples they announce.");
        ulong value = 0;
        while (count > 0)
        {
            var offset = (int)(_position & 7);
            var take = Math.Min(count, 8 - offset);
            var bits = (ulong)(_bytes[(int)(_position >> 3)] >> (8 - offset - take)) & ((1UL << take) - 1);
            value = (value << take) | bits;
            _position += take;
            count -= take;
        }
        return value;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadBits(8);
            value |= (b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new FormatException("A varint is longer than 64 bits.");
    }
}

internal static class ZigZag
{
    public static ulong Encode(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long Decode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
