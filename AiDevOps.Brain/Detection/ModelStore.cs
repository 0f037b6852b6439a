using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace AiDevOps.Brain.Detection;

/// <summary>One series' detector state: what the engine learnt, so a restarted Brain starts warm.</summary>
public sealed record DetectorModel(string Tenant, string SeriesId, string Metric, long LastTimestamp, byte[] Snapshot);

/// <summary>
/// Where detector models are kept between runs and across failovers, one object per owner (an agent's detection,
/// <see cref="DetectionKeys"/>): a local folder, or an S3 bucket on AWS.
/// </summary>
public interface IModelStore
{
    Task SaveAsync(string owner, IReadOnlyList<DetectorModel> models, CancellationToken ct);

    Task<IReadOnlyList<DetectorModel>> LoadAsync(string owner, CancellationToken ct);
}

/// <summary>An owner's models as one binary object, versioned so a newer Brain can refuse an older layout.</summary>
public static class ModelFile
{
    private const int FormatVersion = 1;

    /// <summary>The object of an owner's models, relative to the folder or bucket: <c>detector-models/tenant/agent.bin</c>.</summary>
    public static string PathOf(string owner) => "detector-models/" + owner + ".bin";

    public static byte[] Write(IReadOnlyList<DetectorModel> models)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
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
        return buffer.ToArray();
    }

    /// <summary>The models, or none when the layout is unknown (the series then relearn).</summary>
    public static IReadOnlyList<DetectorModel> Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (bytes.Length < 8 || reader.ReadInt32() != FormatVersion)
            return [];
        var models = new DetectorModel[reader.ReadInt32()];
        for (var i = 0; i < models.Length; i++)
            models[i] = new DetectorModel(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadInt64(), reader.ReadBytes(reader.ReadInt32()));
        return models;
    }
}

/// <summary>Models in one file in a local folder (a volume in a container), replaced atomically: a crash mid-save leaves the previous set.</summary>
public sealed class FolderModelStore(string folder) : IModelStore
{
    public async Task SaveAsync(string owner, IReadOnlyList<DetectorModel> models, CancellationToken ct)
    {
        var path = Path.Combine(folder, ModelFile.PathOf(owner));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            await file.WriteAsync(ModelFile.Write(models), ct);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public async Task<IReadOnlyList<DetectorModel>> LoadAsync(string owner, CancellationToken ct)
    {
        var path = Path.Combine(folder, ModelFile.PathOf(owner));
        return File.Exists(path) ? ModelFile.Read(await File.ReadAllBytesAsync(path, ct)) : [];
    }
}

/// <summary>Models as one object in an S3 bucket (the models bucket on AWS); a put replaces the object whole.</summary>
public sealed class S3ModelStore(IAmazonS3 s3, string bucket) : IModelStore
{
    public async Task SaveAsync(string owner, IReadOnlyList<DetectorModel> models, CancellationToken ct)
    {
        using var body = new MemoryStream(ModelFile.Write(models));
        // A plain body rather than aws-chunked: every S3-compatible store reads it (s3rver would store the chunk framing).
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = ModelFile.PathOf(owner), InputStream = body, UseChunkEncoding = false }, ct);
    }

    public async Task<IReadOnlyList<DetectorModel>> LoadAsync(string owner, CancellationToken ct)
    {
        try
        {
            using var response = await s3.GetObjectAsync(bucket, ModelFile.PathOf(owner), ct);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return ModelFile.Read(buffer.ToArray());
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return []; // first start: nothing learnt yet
        }
    }
}
