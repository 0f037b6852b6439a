using AiDevOps.Brain.Tenancy;
using AiDevOps.Storage;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Folds each tenant's write-ahead items into chunks once a block is complete. It asks every minute, which costs
/// one read per tenant; the fold itself runs once per block. Tenants are those of the configured agents, so a
/// restarted Brain folds what its predecessor left behind.
/// </summary>
public sealed partial class ChunkFoldService(
    ChunkedSampleStore store, TableInitializer tables, AgentDirectory agents, TimeProvider clock, ILogger<ChunkFoldService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await tables.Ready.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            foreach (var tenant in agents.Tenants)
            {
                try
                {
                    var folded = await store.FoldAsync(tenant, stoppingToken);
                    if (folded > 0)
                        LogFolded(folded, tenant);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Nothing is lost: the write-ahead items stay and the next round tries again.
                    LogFoldFailed(e, tenant);
                }
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(LogLevel.Information, "Folded {Samples} samples of tenant {Tenant} into chunks")]
    private partial void LogFolded(int samples, string tenant);

    [LoggerMessage(LogLevel.Warning, "Could not fold the write-ahead log of tenant {Tenant}; trying again next round")]
    private partial void LogFoldFailed(Exception e, string tenant);
}
