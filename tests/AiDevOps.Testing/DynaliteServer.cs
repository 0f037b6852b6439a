namespace AiDevOps.Testing;

/// <summary>
/// A real dynalite (DynamoDB stand-in) process on a free loopback port, in memory. It runs the copy the AppHost
/// installs under .aidevops/tools (installing it with npm when missing), so tests and the platform use one version.
/// </summary>
public sealed class DynaliteServer : IAsyncDisposable
{
    public const string Version = "4.0.0";
    private readonly ServiceProcess _process;

    private DynaliteServer(ServiceProcess process) => _process = process;

    public Uri Endpoint => _process.BaseUrl;

    public static async Task<DynaliteServer> StartAsync()
    {
        var binary = await NpmTool.BinaryAsync("dynalite", Version, "dynalite");
        var port = ServiceProcess.FreePort();
        return new DynaliteServer(await ServiceProcess.StartAsync(
            binary, ["--host", "127.0.0.1", "--port", port.ToString(), "--createTableMs", "0"], port, "/"));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
