using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiDevOps.Testing;

/// <summary>
/// A real dynalite (DynamoDB stand-in) process on a free loopback port, in memory. It runs the copy the AppHost
/// installs under .aidevops/tools (installing it with npm when missing), so tests and the platform use one version.
/// </summary>
public sealed class DynaliteServer : IAsyncDisposable
{
    public const string Version = "4.0.0";
    private readonly Process _process;

    private DynaliteServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<DynaliteServer> StartAsync()
    {
        var binary = await NpmTool.BinaryAsync("dynalite", Version, "dynalite");

        var port = FreePort();
        var process = Process.Start(new ProcessStartInfo(binary, ["--host", "127.0.0.1", "--port", port.ToString(), "--createTableMs", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("dynalite did not start");
        var endpoint = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(endpoint);
                if (response.IsSuccessStatusCode)
                    return new DynaliteServer(process, endpoint);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill();
        throw new InvalidOperationException("dynalite did not answer within 10 s: " + await process.StandardError.ReadToEndAsync());
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
