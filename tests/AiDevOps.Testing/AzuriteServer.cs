using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

    private readonly Process _process;

    private AzuriteServer(Process process, int port)
    {
        _process = process;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    /// <summary>An Azure Storage connection string for the table endpoint.</summary>
    public string ConnectionString { get; }

    public static async Task<AzuriteServer> StartAsync()
    {
        var binary = await NpmTool.BinaryAsync("azurite", Version, "azurite-table");
        var port = DynaliteServer.FreePort();
        var process = Process.Start(new ProcessStartInfo(binary,
            ["--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--silent"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("azurite-table did not start");
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new AzuriteServer(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("azurite-table did not listen within 15 s: " + await process.StandardError.ReadToEndAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
