using AiDevOps.Contracts;
using AiDevOps.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Creates the tables when they are missing and reports ready once they are active. It keeps trying while storage
/// is unreachable (the local stand-in may still be starting), and the Brain's /health stays unhealthy until then.
/// </summary>
public sealed partial class TableInitializer(
    IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock, ILogger<TableInitializer> logger)
    : BackgroundService, IHealthCheck
{
    /// <summary>How long "not ready yet" is a normal start (Degraded) before it is a failure (Unhealthy).</summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _started = clock.GetUtcNow();

    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Whatever the backend throws while it is unreachable or starting: keep trying until stopped.
        var untilReady = Backoff.Retry<bool>(
            outcome => outcome.Exception is not null and not OperationCanceledException,
            first: TimeSpan.FromMilliseconds(200), max: TimeSpan.FromSeconds(5),
            onRetry: args =>
            {
                LogRetrying(args.Outcome.Exception!.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
            time: clock);
        await untilReady.ExecuteAsync(async token =>
        {
            await table.EnsureTableAsync(options.Value.DataTable, token);
            await table.EnsureTableAsync(options.Value.AlertConfigsTable, token);
            return true;
        }, stoppingToken);
        _ready.TrySetResult();
        LogReady(options.Value.DataTable, options.Value.AlertConfigsTable);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready.Task.IsCompletedSuccessfully ? HealthCheckResult.Healthy("Tables are active.")
            : clock.GetUtcNow() - _started < StartupGrace ? HealthCheckResult.Degraded("Storage tables are being created.")
            : HealthCheckResult.Unhealthy($"Storage tables are not ready after {StartupGrace.TotalSeconds:0} s; is {options.Value.Backend} reachable?"));

    [LoggerMessage(LogLevel.Information, "Storage tables {DataTable} and {AlertConfigsTable} are ready")]
    private partial void LogReady(string dataTable, string alertConfigsTable);

    [LoggerMessage(LogLevel.Warning, "Storage is not reachable yet ({Reason}); trying again in {Delay}")]
    private partial void LogRetrying(string reason, TimeSpan delay);
}
