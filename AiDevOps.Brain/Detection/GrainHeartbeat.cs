using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Tenancy;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Calls every configured agent's detection and every tenant's alerting every few seconds, from every Brain. A silent
/// agent sends nothing that would wake its grain, yet its silence must be noticed, and an open incident must repeat
/// though nothing new happens: this keeps those grains active and their clocks ticking, and after a Brain dies it
/// activates the grains that lived there on a survivor within one interval.
/// </summary>
public sealed partial class GrainHeartbeat(
    IGrainFactory grains, AgentDirectory directory, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<GrainHeartbeat> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Once every service has started, the silo among them: a grain called before has nowhere to live yet.
        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).ContinueWith(_ => { }, TaskScheduler.Default);
        stoppingToken.ThrowIfCancellationRequested();
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            await Task.WhenAll(directory.Tenants.Select(tenant => BeatAsync(tenant, grains.GetGrain<ITenantAlertingGrain>(tenant).TickAsync))
                .Concat(directory.Agents.Select(agent => BeatAsync(DetectionKeys.Of(agent), grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(agent)).TickAsync))));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task BeatAsync(string grain, Func<Task> tick)
    {
        try
        {
            await tick();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A Brain that just died, or storage not ready yet: the next beat tries again.
            LogMissed(grain, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Heartbeat of {Grain} missed: {Reason}")]
    private partial void LogMissed(string grain, string reason);
}
