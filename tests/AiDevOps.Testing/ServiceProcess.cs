using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiDevOps.Testing;

/// <summary>
/// A real process under test (a platform service, Prometheus, an exporter) on loopback: started, waited for until
/// an HTTP endpoint answers, stopped gracefully or killed with SIGKILL, its output kept for failure messages.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts a program and waits until <paramref name="readyPath"/> answers 2xx (any answer at all when
    /// <paramref name="anyAnswer"/>: some stand-ins have no health endpoint; without a path, until the port takes a
    /// connection: some speak no HTTP).
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string fileName, IEnumerable<string> arguments, int port, string? readyPath,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, bool anyAnswer = false)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Nothing listens for OTLP in tests; exporting would only slow every shutdown down.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var service = new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start"),
            new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline && !service.HasExited)
        {
            try
            {
                if (readyPath is null)
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, port);
                    return service;
                }
                using var response = await http.GetAsync(new Uri(service.BaseUrl, readyPath));
                if (response.IsSuccessStatusCode || anyAnswer)
                    return service;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        var why = service.HasExited ? $"exited with code {service._process.ExitCode}" : $"did not answer within {timeout ?? TimeSpan.FromSeconds(60)}";
        await service.DisposeAsync();
        throw new InvalidOperationException($"{fileName} was not ready at {readyPath}: it {why}. Its output:\n{service.Output}");
    }

    /// <summary>
    /// Starts one of the platform's services from its own build output (the same configuration as the tests), on
    /// <paramref name="port"/>, in the Production environment so only the given settings apply.
    /// </summary>
    public static Task<ServiceProcess> StartServiceAsync(string project, int port, IReadOnlyDictionary<string, string> settings, string readyPath = "/health")
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var folder = Path.Combine(RepositoryRoot.Path, project, "bin", configuration, "net10.0");
        var environment = new Dictionary<string, string>(settings)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        return StartAsync("dotnet", [Path.Combine(folder, project + ".dll"), "--contentRoot", folder], port, readyPath, environment);
    }

    /// <summary>
    /// SIGKILL: no shutdown code runs, as in a crash or <c>kill -9</c>. A .NET process killed so leaves its diagnostic
    /// IPC files (<c>dotnet-diagnostic-&lt;pid&gt;-*</c>, <c>clr-debug-pipe-&lt;pid&gt;-*</c>) in the temporary folder; they go too.
    /// </summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            var pid = _process.Id;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            foreach (var pattern in new[] { $"dotnet-diagnostic-{pid}-*", $"clr-debug-pipe-{pid}-*" })
            {
                foreach (var left in Directory.EnumerateFiles(Path.GetTempPath(), pattern))
                    File.Delete(left);
            }
        }
    }

    /// <summary>SIGTERM, then waits for a graceful exit (SIGKILL after <paramref name="grace"/>).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
            return;
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await signal.WaitForExitAsync();
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>
    /// A loopback port free now, for a process started a moment later. Taken below the kernel's ephemeral range
    /// (Linux: ip_local_port_range), at random: a port the kernel hands out itself may meanwhile become the local
    /// end of some outgoing connection ("address already in use" when the process binds it).
    /// </summary>
    public static int FreePort()
    {
        var ephemeralStart = EphemeralRangeStart();
        for (var attempt = 0; attempt < 100 && ephemeralStart > 11_000; attempt++)
        {
            var port = Random.Shared.Next(10_000, ephemeralStart);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        using var any = new TcpListener(IPAddress.Loopback, 0);
        any.Start();
        return ((IPEndPoint)any.LocalEndpoint).Port;
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0],
            System.Globalization.CultureInfo.InvariantCulture, out var start) ? start : 0;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
