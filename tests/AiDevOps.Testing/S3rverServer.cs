namespace AiDevOps.Testing;

/// <summary>
/// A real s3rver (S3 stand-in) on a free loopback port with one bucket, its data in a temporary folder, from the
/// copy under .aidevops/tools (installed with npm when missing).
/// </summary>
public sealed class S3rverServer : IAsyncDisposable
{
    public const string Version = "3.7.1";

    /// <summary>The only credentials s3rver accepts.</summary>
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly ServiceProcess _process;
    private readonly string _folder;

    private S3rverServer(ServiceProcess process, string folder, string bucket)
    {
        _process = process;
        _folder = folder;
        Bucket = bucket;
    }

    public Uri Endpoint => _process.BaseUrl;

    public string Bucket { get; }

    public static async Task<S3rverServer> StartAsync(string bucket)
    {
        var binary = await NpmTool.BinaryAsync("s3rver", Version, "s3rver");
        var port = ServiceProcess.FreePort();
        var folder = Path.Combine(Path.GetTempPath(), "aidevops-s3rver-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var process = await ServiceProcess.StartAsync(binary,
            ["--address", "127.0.0.1", "--port", port.ToString(), "--directory", folder, "--silent", "--configure-bucket", bucket],
            port, "/");
        return new S3rverServer(process, folder, bucket);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
