namespace AiDevOps.Testing;

/// <summary>
/// A real Azurite table service (Azure Table Storage stand-in) on a free loopback port, in memory, from the copy
/// under .aidevops/tools (installed with npm when missing).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string Version = "3.37.0";

    // Azurite's well-known development account; it accepts nothing else.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ServiceProcess _process;

    private AzuriteServer(ServiceProcess process, int port)
    {
        _process = process;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    /// <summary>An Azure Storage connection string for the table endpoint.</summary>
    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var binary = await NpmTool.BinaryAsync("azurite", Version, "azurite-table");
        var port = ServiceProcess.FreePort();
        // Azurite has no health endpoint: any HTTP answer means it listens.
        var process = await ServiceProcess.StartAsync(binary,
            ["--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent"],
            port, "/", anyAnswer: true);
        return new AzuriteServer(process, port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
