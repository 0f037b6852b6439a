using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Creates the tables when they are missing and reports ready once they are active. It keeps trying while DynamoDB
/// is unreachable (the local stand-in may still be starting), and the Brain's /health stays unhealthy until then.
/// </summary>
public sealed partial class TableInitializer(
    IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, TimeProvider clock, ILogger<TableInitializer> logger)
    : BackgroundService, IHealthCheck
{
    /// <summary>How long "not ready yet" is a normal start (Degraded) before it is a failure (Unhealthy).</summary>
    public static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DateTimeOffset _started = clock.GetUtcNow();

    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureTableAsync(options.Value.DataTable, stoppingToken);
                await EnsureTableAsync(options.Value.AlertConfigsTable, stoppingToken);
                _ready.TrySetResult();
                LogReady(options.Value.DataTable, options.Value.AlertConfigsTable);
                return;
            }
            catch (Exception e) when (e is AmazonDynamoDBException or HttpRequestException or Amazon.Runtime.AmazonClientException && !stoppingToken.IsCancellationRequested)
            {
                LogRetrying(e.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task EnsureTableAsync(string table, CancellationToken ct)
    {
        try
        {
            await dynamo.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions =
                [
                    new AttributeDefinition(DataKeys.PartitionKey, ScalarAttributeType.S),
                    new AttributeDefinition(DataKeys.SortKey, ScalarAttributeType.S),
                ],
                KeySchema =
                [
                    new KeySchemaElement(DataKeys.PartitionKey, KeyType.HASH),
                    new KeySchemaElement(DataKeys.SortKey, KeyType.RANGE),
                ],
            }, ct);
            LogCreated(table);
        }
        catch (ResourceInUseException)
        {
            // Already there: created by an earlier start or another Brain instance.
        }
        while (true)
        {
            var description = await dynamo.DescribeTableAsync(table, ct);
            if (description.Table.TableStatus == TableStatus.ACTIVE)
                return;
            await Task.Delay(500, ct);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready.Task.IsCompletedSuccessfully ? HealthCheckResult.Healthy("Tables are active.")
            : clock.GetUtcNow() - _started < StartupGrace ? HealthCheckResult.Degraded("DynamoDB tables are being created.")
            : HealthCheckResult.Unhealthy($"DynamoDB tables are not ready after {StartupGrace.TotalSeconds:0} s; is DynamoDB reachable?"));

    [LoggerMessage(LogLevel.Information, "Created DynamoDB table {Table}")]
    private partial void LogCreated(string table);

    [LoggerMessage(LogLevel.Information, "DynamoDB tables {DataTable} and {AlertConfigsTable} are ready")]
    private partial void LogReady(string dataTable, string alertConfigsTable);

    [LoggerMessage(LogLevel.Warning, "DynamoDB is not reachable yet ({Reason}); trying again in {Delay}")]
    private partial void LogRetrying(string reason, TimeSpan delay);
}
