using AiDevOps.Bench;

return args switch
{
    ["detect"] => DetectBench.Run(),
    ["storage"] => await StorageBench.RunAsync(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: AiDevOps.Bench detect|storage");
    return 2;
}
