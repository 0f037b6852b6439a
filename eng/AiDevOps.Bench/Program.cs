using AiDevOps.Bench;

return args switch
{
    ["detect"] => DetectBench.Run(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: AiDevOps.Bench detect");
    return 2;
}
