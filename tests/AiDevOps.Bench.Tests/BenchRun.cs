using System.Diagnostics;
using System.Globalization;
using System.Text;
using AiDevOps.Testing;

namespace AiDevOps.Bench.Tests;

/// <summary>
/// One run of <c>eng/bench.sh CASE</c> in quick mode, as a user starts it, bounded by a timeout. Every process the
/// run starts inherits a marker in its environment, so whatever is still alive afterwards is found even when it was
/// reparented or left its process group; the run gets a TMPDIR of its own, so files it leaves there are found too.
/// </summary>
internal sealed record BenchRun(string Output, int? ExitCode, TimeSpan Elapsed, IReadOnlyList<string> LeftProcesses, IReadOnlyList<string> LeftFiles)
{
    private const string MarkerVariable = "AIDEVOPS_BENCH_RUN";

    public bool TimedOut => ExitCode is null;

    /// <summary>The output's last line (stdout and stderr together, in the order written).</summary>
    public string LastLine => Output.TrimEnd('\n').Split('\n')[^1];

    public static async Task<BenchRun> RunAsync(string benchCase, TimeSpan timeout)
    {
        var marker = $"{MarkerVariable}={Guid.NewGuid():N}";
        var scratch = Directory.CreateTempSubdirectory("aidevops-bench-run-").FullName;
        var temp = Directory.CreateDirectory(Path.Combine(scratch, "tmp")).FullName;
        var outputFile = Path.Combine(scratch, "output.txt");
        try
        {
            // Output goes to a file, not a pipe: a process the bench leaves behind would hold a pipe open.
            var start = new ProcessStartInfo("bash", ["-c", "exec eng/bench.sh \"$1\" >\"$2\" 2>&1", "bench", benchCase, outputFile])
            {
                WorkingDirectory = RepositoryRoot.Path,
                UseShellExecute = false,
                RedirectStandardInput = true,
            };
            start.Environment["BENCH_QUICK"] = "1";
            start.Environment.Remove("BENCH_SECONDS");
            start.Environment["TMPDIR"] = temp;
            start.Environment[MarkerVariable] = marker[(MarkerVariable.Length + 1)..];
            // dotnet test hands its MSBuild's location to the test host; the bench's own dotnet must find its own.
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(name);

            var watch = Stopwatch.StartNew();
            using var bench = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
            bench.StandardInput.Close();
            int? exitCode;
            using (var deadline = new CancellationTokenSource(timeout))
            {
                try
                {
                    await bench.WaitForExitAsync(deadline.Token);
                    exitCode = bench.ExitCode;
                }
                catch (OperationCanceledException)
                {
                    exitCode = null;
                }
            }
            watch.Stop();

            var left = ProcessesCarrying(marker);
            foreach (var (pid, _) in left)
                Kill(pid); // The test must not leave them either.
            var leftFiles = Directory.EnumerateFiles(temp, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(temp, f))
                .Where(f => !f.StartsWith("NuGetScratch", StringComparison.Ordinal)) // dotnet's own lock files
                .ToList();
            var output = File.Exists(outputFile) ? await File.ReadAllTextAsync(outputFile) : "";
            return new BenchRun(output, exitCode, watch.Elapsed,
                left.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Pid} {p.Command}")).ToList(), leftFiles);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Live processes whose environment holds <paramref name="marker"/>, with their command lines.</summary>
    private static List<(int Pid, string Command)> ProcessesCarrying(string marker)
    {
        var needle = Encoding.ASCII.GetBytes(marker);
        var found = new List<(int, string)>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                // A zombie's environment reads empty: only processes still running match.
                if (File.ReadAllBytes(Path.Combine(folder, "environ")).AsSpan().IndexOf(needle) < 0)
                    continue;
                var command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ').Trim();
                found.Add((pid, command));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }
}
