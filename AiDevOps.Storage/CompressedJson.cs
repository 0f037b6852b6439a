using System.IO.Compression;
using System.Text.Json;

namespace AiDevOps.Storage;

/// <summary>
/// A record as an item's binary payload: JSON, Brotli-compressed. For records that grow with what they hold (an
/// incident of fifty members with their evidence), which would pass the smallest property limit of the two tables
/// (Azure's 64 KiB) as a text attribute long before they pass it compressed.
/// </summary>
public static class CompressedJson
{
    public static byte[] Write<T>(T value)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest))
            JsonSerializer.Serialize(brotli, value);
        return buffer.ToArray();
    }

    public static T Read<T>(byte[] data)
    {
        using var brotli = new BrotliStream(new MemoryStream(data), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<T>(brotli) ?? throw new InvalidDataException($"An item holds no {typeof(T).Name}.");
    }
}
