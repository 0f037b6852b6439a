using AiDevOps.Brain.Tenancy;

namespace AiDevOps.Brain.Detection;

/// <summary>
/// Calls every configured agent's detection every few seconds, from every Brain. A silent agent sends nothing that
/// would wake its grain, yet its silence must be noticed: this keeps each grain active and its clock ticking, and
/// after a Brain dies it activates the grains that lived there on a survivor within one interval.
/// </summary>
public sealed partial class DetectionClock(IGrainFactory grains, AgentDirectory directory, TimeProvider clock, ILogger<DetectionClock> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            await Task.WhenAll(directory.Agents.Select(TickAsync));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task TickAsync(AgentIdentity agent)
    {
        try
        {
            await grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(agent)).TickAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A silo that just died, or storage not ready yet: the next tick tries again.
            LogTickFailed(DetectionKeys.Of(agent), e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Detection of {Agent} did not tick: {Reason}")]
    private partial void LogTickFailed(string agent, string reason);
}
