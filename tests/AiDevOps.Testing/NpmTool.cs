using System.Collections.Concurrent;
using System.Diagnostics;

namespace AiDevOps.Testing;

/// <summary>
/// A pinned npm package under .aidevops/tools/&lt;name&gt;-&lt;version&gt;, installed with npm on first use, so tests
/// and the AppHost run the same copy.
/// </summary>
/// <remarks>
/// Test projects run in parallel processes and may all find the package missing. Each installs into a folder of its
/// own and renames it into place, so the package folder, once it exists, is complete; the losers of the race throw
/// their copy away.
/// </remarks>
public static class NpmTool
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Installs = new();

    /// <summary>The path of the package's executable <paramref name="binary"/>, installing the package when missing.</summary>
    public static Task<string> BinaryAsync(string package, string version, string binary) =>
        Installs.GetOrAdd(package + "@" + version, _ => new(() => InstallAsync(package, version, binary))).Value;

    private static async Task<string> InstallAsync(string package, string version, string binary)
    {
        var folder = Path.Combine(RepositoryRoot.Path, ".aidevops", "tools", package + "-" + version);
        var path = Path.Combine(folder, "node_modules", ".bin", binary);
        if (File.Exists(path))
            return path;
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true); // Left half-installed by an interrupted install.

        var staging = $"{folder}.installing-{Environment.ProcessId}";
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        using var npm = Process.Start(new ProcessStartInfo("npm",
            ["install", "--prefix", staging, "--no-audit", "--no-fund", "--loglevel", "error", package + "@" + version])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync();
        await output;
        if (npm.ExitCode != 0)
        {
            Directory.Delete(staging, recursive: true);
            throw new InvalidOperationException($"npm install {package}@{version} failed: " + await errors);
        }

        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (File.Exists(path))
        {
            Directory.Delete(staging, recursive: true); // Another process installed it first.
        }
        return path;
    }
}
