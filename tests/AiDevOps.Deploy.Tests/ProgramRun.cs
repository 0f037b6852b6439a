using System.Diagnostics;

namespace AiDevOps.Deploy.Tests;

/// <summary>A program the deployment tests run to its end (npm, node, the image script, podman): its exit code and output.</summary>
internal static class ProgramRun
{
    public static (int ExitCode, string Output) Run(string command, IEnumerable<string> args, string folder, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{command} {string.Join(' ', start.ArgumentList)} did not end within {timeout}: {errors.Result}");
        }
        process.WaitForExit(); // the output's end, read by the tasks
        return (process.ExitCode, output.Result + errors.Result);
    }

    /// <summary>As <see cref="Run"/>, failing on a non-zero exit; returns what the program printed.</summary>
    public static string Checked(string command, IEnumerable<string> args, string folder, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = Run(command, args, folder, timeout, environment);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{command} {string.Join(' ', args)} exited with {exitCode}: {output}");
    }
}
