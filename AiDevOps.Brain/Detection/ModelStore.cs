using System.Text;

namespace AiDevOps.Brain.Detection;

/// <summary>One series' detector state: what the engine learnt, so a restarted Brain starts warm.</summary>
public sealed record DetectorModel(string Tenant, string SeriesId, string Metric, long LastTimestamp, byte[] Snapshot);

/// <summary>Where detector models are kept between runs.</summary>
public interface IModelStore
{
    Task SaveAsync(IReadOnlyList<DetectorModel> models, CancellationToken ct);

    Task<IReadOnlyList<DetectorModel>> LoadAsync(CancellationToken ct);
}

/// <summary>
/// Models in one file in a local folder (a volume in a container), replaced atomically, so a crash mid-save leaves
/// the previous set intact.
/// </summary>
public sealed class FolderModelStore(string folder) : IModelStore
{
    private const int FormatVersion = 1;
    private const string FileName = "detector-models.bin";

    public async Task SaveAsync(IReadOnlyList<DetectorModel> models, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(FormatVersion);
                writer.Write(models.Count);
                foreach (var model in models)
                {
                    writer.Write(model.Tenant);
                    writer.Write(model.SeriesId);
                    writer.Write(model.Metric);
                    writer.Write(model.LastTimestamp);
                    writer.Write(model.Snapshot.Length);
                    writer.Write(model.Snapshot);
                }
            }
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public async Task<IReadOnlyList<DetectorModel>> LoadAsync(CancellationToken ct)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
            return [];
        using var reader = new BinaryReader(new MemoryStream(await File.ReadAllBytesAsync(path, ct)), Encoding.UTF8);
        if (reader.ReadInt32() != FormatVersion)
            return [];
        var models = new DetectorModel[reader.ReadInt32()];
        for (var i = 0; i < models.Length; i++)
            models[i] = new DetectorModel(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadInt64(), reader.ReadBytes(reader.ReadInt32()));
        return models;
    }
}
