using System.Text.Json;
using Xunit.Abstractions;

namespace AiDevOps.Bench.Tests;

/// <summary>
/// Every case of eng/bench.sh, run briefly (BENCH_QUICK=1), keeps its contract: it exits by itself, stops every
/// process and removes every file it started, and its last line of output is its JSON result. The cases run one
/// after another (one class), so their Release builds never race.
/// </summary>
public sealed class BenchCaseTests(ITestOutputHelper log)
{
    // Quick runs take seconds to a minute; the bound also covers building the benches in Release when eng/test.sh
    // has not built them first (a plain dotnet test), on a busy machine.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    [Theory]
    [InlineData("agent")]
    [InlineData("storage")]
    [InlineData("detect")]
    [InlineData("alert-noise")]
    [InlineData("alert-latency")]
    [InlineData("insights")]
    [InlineData("ingest")]
    [InlineData("scale")]
    public async Task Quick_run_exits_by_itself_leaves_nothing_running_and_ends_with_its_JSON_line(string benchCase)
    {
        var run = await BenchRun.RunAsync(benchCase, Timeout);
        log.WriteLine($"eng/bench.sh {benchCase} (BENCH_QUICK=1): exit {run.ExitCode?.ToString() ?? "none"} after {run.Elapsed.TotalSeconds:F0} s");
        log.WriteLine(run.Output);

        Assert.False(run.TimedOut, $"still running after {Timeout.TotalMinutes} min, killed:\n{run.Output}");
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.True(run.LeftProcesses.Count == 0, "left running:\n" + string.Join('\n', run.LeftProcesses));
        Assert.True(run.LeftFiles.Count == 0, "left in TMPDIR:\n" + string.Join('\n', run.LeftFiles));
        using var result = ParseOrNull(run.LastLine);
        Assert.True(result?.RootElement.ValueKind == JsonValueKind.Object, $"the last line is not a JSON object: {run.LastLine}");
        Assert.Equal(benchCase, result.RootElement.TryGetProperty("bench", out var name) ? name.GetString() : null);
    }

    private static JsonDocument? ParseOrNull(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
