using System.Diagnostics;

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
        var folder = System.IO.Path.Combine(RepositoryRoot.Path, ".aidevops", "tools", "dynalite-" + Version);
        var binary = System.IO.Path.Combine(folder, "node_modules", ".bin", "dynalite");
        if (!File.Exists(binary))
            await InstallAsync(folder);

        var port = ServiceProcess.FreePort();
        var process = await ServiceProcess.StartAsync(binary, ["--host", "127.0.0.1", "--port", port.ToString(), "--createTableMs", "0"], port, "/");
        return new DynaliteServer(process);
    }

    private static async Task InstallAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        using var npm = Process.Start(new ProcessStartInfo("npm",
            ["install", "--prefix", folder, "--no-audit", "--no-fund", "--loglevel", "error", "dynalite@" + Version])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
            throw new InvalidOperationException("npm install dynalite failed: " + await errors);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
