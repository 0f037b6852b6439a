using AiDevOps.Bench;

// BENCH_QUICK=1 shrinks each case to seconds: its numbers mean nothing, but the run shows the case still works.
var quick = Environment.GetEnvironmentVariable("BENCH_QUICK") == "1";
return args switch
{
    ["detect"] => DetectBench.Run(quick),
    ["storage"] => await StorageBench.RunAsync(quick),
    ["alert-noise", var nab] => AlertNoiseBench.Run(nab, quick),
    ["insights", var nab] => InsightsBench.Run(nab, quick),
    ["ingest", .. var receivers] => await IngestBench.RunAsync(receivers, quick),
    ["scale", .. var cluster] => await ScaleBench.RunAsync(cluster, quick),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: AiDevOps.Bench detect|storage|alert-noise NAB_DIR|insights NAB_DIR|ingest RECEIVERS...|scale BRAIN_DIR DYNAMODB_URL REDIS RUNTIME_ENV   (BENCH_QUICK=1: seconds, for a smoke test)");
    return 2;
}
