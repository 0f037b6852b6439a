using System.Diagnostics;

namespace AiDevOps.Testing;

/// <summary>
/// A pinned npm package under .aidevops/tools/&lt;name&gt;-&lt;version&gt;, installed with npm on first use, so tests
/// and the AppHost run the same copy.
/// </summary>
public static class NpmTool
{
    /// <summary>The path of the package's executable <paramref name="binary"/>, installing the package when missing.</summary>
    public static async Task<string> BinaryAsync(string package, string version, string binary)
    {
        var folder = Path.Combine(RepositoryRoot.Path, ".aidevops", "tools", package + "-" + version);
        var path = Path.Combine(folder, "node_modules", ".bin", binary);
        if (File.Exists(path))
            return path;
        Directory.CreateDirectory(folder);
        using var npm = Process.Start(new ProcessStartInfo("npm",
            ["install", "--prefix", folder, "--no-audit", "--no-fund", "--loglevel", "error", package + "@" + version])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
            throw new InvalidOperationException($"npm install {package}@{version} failed: " + await errors);
        return path;
    }
}
