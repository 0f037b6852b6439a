namespace AiDevOps.Agent.Delivery;

/// <summary>
/// Tells the Brain, as the Agent stops on purpose, that its silence from now on is planned, so a stopped Agent never
/// pages anyone for <c>agent_silent</c>. Registered before everything that talks to the Brain, so it stops after them
/// and is the last word the Brain hears; a later delivery (after a restart) takes the goodbye back.
/// </summary>
public sealed partial class Goodbye(BrainClient brain, ILogger<Goodbye> logger) : IHostedService
{
    /// <summary>A Brain that does not answer this fast is away, and then it has nothing to wait for anyway.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Patience);
        try
        {
            await brain.SayGoodbyeAsync(timeout.Token);
            LogSaid();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            LogNotHeard(e.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Said goodbye to the Brain: this stop is planned, not an outage")]
    private partial void LogSaid();

    [LoggerMessage(LogLevel.Warning, "The Brain did not take the goodbye ({Reason}); it may report this agent silent")]
    private partial void LogNotHeard(string reason);
}
