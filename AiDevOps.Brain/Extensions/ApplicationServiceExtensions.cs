using System.Text.Json;
using System.Text.Json.Serialization;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Digests;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Alerting.Notifiers.Email;
using AiDevOps.Brain.Alerting.Notifiers;
using AiDevOps.Brain.Alerting.Notifiers.PagerDuty;
using AiDevOps.Brain.Alerting.Notifiers.Slack;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Brain.Alerting.Notifiers.Webhook;
using AiDevOps.Brain.Alerting.Templates;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Cluster;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Quartz;

namespace Microsoft.Extensions.Hosting;

public static partial class ApplicationServiceExtensions
{
    /// <summary>The Aspire connection string naming a local DynamoDB (the emulator); absent on AWS.</summary>
    public const string DynamoDbConnectionName = "dynamodb";

    /// <summary>The connection string naming a local S3 (s3rver) for detector models; absent on AWS.</summary>
    public const string S3ConnectionName = "s3";

    /// <summary>The connection string of Azure Table Storage, used when <c>Storage:Backend</c> is <c>azuretables</c>.</summary>
    public const string AzureTablesConnectionName = "tables";

    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddRequestProblems();
        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(json =>
        {
            // States and kinds read as words in every answer ("acknowledged", "loud"), and are taken as words in requests.
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            // A key given twice ({"__name__":"up","__name__":null}) is refused rather than read as its last value.
            json.SerializerOptions.AllowDuplicateProperties = false;
        });

        builder.AddTenancy();
        builder.AddStorage();
        builder.AddAnomalies();
        builder.AddIngest();
        builder.AddDetection();
        builder.AddCluster();
        builder.AddAlerting();
        return builder;
    }

    private static void AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var backend = builder.Configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Backend)}"] ?? StorageOptions.DynamoDbBackend;
        switch (backend)
        {
            case StorageOptions.AzureTablesBackend:
                builder.AddAzureTables();
                break;
            case StorageOptions.DynamoDbBackend:
                builder.AddDynamoDb();
                break;
            default:
                // The backend decides what is registered, so it is checked here rather than by ValidateOnStart.
                throw new OptionsValidationException($"{StorageOptions.Section}:{nameof(StorageOptions.Backend)}", typeof(string),
                    [$"Storage:Backend '{backend}' must be '{StorageOptions.DynamoDbBackend}' or '{StorageOptions.AzureTablesBackend}'."]);
        }
        builder.Services.AddSingleton<ChunkedSampleStore>();
        builder.Services.AddSingleton<ISampleStore>(sp => sp.GetRequiredService<ChunkedSampleStore>());
        builder.Services.AddHostedService<ChunkFoldService>();
        builder.Services.AddSingleton<TableInitializer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TableInitializer>());
        builder.Services.AddHealthChecks().AddCheck<TableInitializer>("storage-tables");
    }

    private static void AddDynamoDb(this IHostApplicationBuilder builder)
    {
        var localEndpoint = builder.Configuration.GetConnectionString(DynamoDbConnectionName);
        builder.Services.AddSingleton<IAmazonDynamoDB>(_ =>
        {
            if (string.IsNullOrWhiteSpace(localEndpoint))
                return new AmazonDynamoDBClient(); // AWS: region and credentials from the standard chain (task role on ECS).
            if (!HttpUrl.IsValid(localEndpoint))
                throw new OptionsValidationException($"ConnectionStrings:{DynamoDbConnectionName}", typeof(string),
                    [$"ConnectionStrings:{DynamoDbConnectionName} '{localEndpoint}' must be the URL of a local DynamoDB."]);
            // The emulator checks neither signature nor region, but the SDK insists on both.
            return new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
                new AmazonDynamoDBConfig { ServiceURL = localEndpoint, AuthenticationRegion = "us-east-1" });
        });
        builder.Services.AddSingleton<BatchWriter>();
        builder.Services.AddSingleton<IKeyValueTable, DynamoDbTable>();
    }

    private static void AddAzureTables(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(AzureTablesConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new OptionsValidationException($"ConnectionStrings:{AzureTablesConnectionName}", typeof(string),
                [$"Storage:Backend '{StorageOptions.AzureTablesBackend}' needs ConnectionStrings:{AzureTablesConnectionName}, the Azure Storage connection string."]);
        builder.Services.AddSingleton(_ => new TableServiceClient(connectionString));
        builder.Services.AddSingleton<IKeyValueTable, AzureTablesTable>();
    }

    private static void AddTenancy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AgentKeysOptions>().BindConfiguration(AgentKeysOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AgentDirectory>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<ReadOnlyTokens>();
        builder.Services.AddSingleton<AgentRegistry>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
    }

    private static void AddAnomalies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AnomalyStore>();
    }

    private static void AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<BatchLedger>();
        builder.Services.AddSingleton<IngestService>();
    }

    private static void AddDetection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IModelStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DetectionOptions>>().Value;
            if (string.IsNullOrEmpty(options.ModelBucket))
                return new FolderModelStore(Path.GetFullPath(options.ModelPath, builder.Environment.ContentRootPath));
            // Credentials always come from the standard chain: a local S3 checks them too (s3rver wants S3RVER/S3RVER).
            var localEndpoint = builder.Configuration.GetConnectionString(S3ConnectionName);
            IAmazonS3 s3 = string.IsNullOrWhiteSpace(localEndpoint)
                ? new AmazonS3Client()
                : new AmazonS3Client(new AmazonS3Config { ServiceURL = localEndpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
            return new S3ModelStore(s3, options.ModelBucket);
        });
        builder.Services.AddHostedService<GrainHeartbeat>();
    }

    private static void AddAlerting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlertingOptions>().BindConfiguration(AlertingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IKeyWrapper>(sp => sp.GetRequiredService<IOptions<SecretsOptions>>().Value switch
        {
            { KmsKeyId: { Length: > 0 } kmsKey } => new KmsKeyWrapper(new Amazon.KeyManagementService.AmazonKeyManagementServiceClient(), kmsKey),
            { LocalKey: { Length: > 0 } key } => LocalKeyWrapper.FromKey(key),
            var options => LocalKeyWrapper.FromFile(options.LocalKeyPath),
        });
        builder.Services.AddSingleton<SecretSealer>();
        builder.Services.AddSingleton<AlertConfigStore>();
        builder.Services.AddSingleton<AlertTemplateStore>();
        builder.Services.AddSingleton<AlertTemplates>();
        builder.Services.AddHttpClient<InsightsClient>((sp, http) =>
        {
            var alerting = sp.GetRequiredService<IOptions<AlertingOptions>>().Value;
            http.BaseAddress = new Uri(alerting.InsightsUrl);
            if (alerting.InsightsApiKey is { Length: > 0 } key)
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        });
        builder.Services.AddSingleton<NotificationOutbox>();
        builder.Services.AddSingleton<SilenceStore>();
        builder.Services.AddSingleton<Inhibition>();
        builder.Services.AddSingleton<NotificationDelivery>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationDelivery>());
        builder.Services.AddSingleton<IncidentBook>();
        builder.Services.AddSingleton<IncidentStore>();
        builder.Services.AddSingleton<IncidentEvidence>();
        builder.Services.AddSingleton<AnomalyRecorder>();
        builder.Services.AddSingleton<AlertDispatcher>();
        builder.Services.AddSingleton<IncidentActions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        builder.Services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<DigestJob>();
        // Schedules are read before options validation runs; a bad cron fails ValidateOnStart, not here.
        var digests = builder.Configuration.GetSection(DigestOptions.Section).Get<DigestOptions>() ?? new DigestOptions();
        var tenants = (builder.Configuration.GetSection(AgentKeysOptions.Section).Get<AgentKeysOptions>()?.Agents ?? []).Select(a => a.Tenant).Distinct();
        builder.Services.AddQuartz(quartz =>
        {
            foreach (var tenant in tenants)
            {
                if (digests.CronFor(tenant) is var cron && (cron == DigestOptions.Off || !DigestOptions.IsCron(cron)))
                    continue;
                var key = DigestJob.KeyFor(tenant);
                quartz.AddJob<DigestJob>(job => job.WithIdentity(key).UsingJobData(DigestJob.TenantKey, tenant));
                quartz.AddTrigger(trigger => trigger.ForJob(key).WithIdentity(key.Name, key.Group)
                    .WithCronSchedule(cron, schedule => schedule.InTimeZone(TimeZoneInfo.Utc)));
            }
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);

        builder.Services.AddOptions<TelegramOptions>().BindConfiguration(TelegramOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<INotifier, TelegramNotifier>();
        builder.Services.AddHostedService<TelegramReceiverSeeder>();
        builder.Services.AddHostedService<TelegramCallbacks>();
        var telegram = builder.Configuration.GetSection(TelegramOptions.Section).Get<TelegramOptions>() ?? new TelegramOptions();
        if (!telegram.IsConfigured)
            builder.Services.AddHostedService<TelegramNotConfiguredNotice>();

        // Always registered: without Email:Host the channel refuses new receivers and fails stored ones, saying what to set.
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<INotifier, EmailNotifier>();
        builder.Services.AddHttpNotifier<SlackNotifier>(SlackNotifier.ChannelName);
        builder.Services.AddOptions<PagerDutyOptions>().BindConfiguration(PagerDutyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpNotifier<PagerDutyNotifier>(PagerDutyNotifier.ChannelName);
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpNotifier<WebhookNotifier>(WebhookNotifier.ChannelName);
    }

    /// <summary>
    /// A channel that posts over HTTP, with a client of its own: no resilience handler (the dispatcher retries, once,
    /// around every channel) and no request logging (its URL may be the receiver's credential), one attempt bounded by
    /// <c>Alerting:DeliveryTimeout</c>.
    /// </summary>
    private static void AddHttpNotifier<TNotifier>(this IServiceCollection services, string channel)
        where TNotifier : class, INotifier
    {
        services.AddHttpClient(JsonPost.ClientName(channel))
            .ConfigureHttpClient((sp, http) =>
            {
                http.Timeout = sp.GetRequiredService<IOptions<AlertingOptions>>().Value.DeliveryTimeout;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("AiDevOps-Brain");
            })
            .RemoveAllLoggers()
            .WithoutResilienceHandlers();
        services.AddSingleton<INotifier, TNotifier>();
    }

    /// <summary>Says once at startup that alerts stay in the Brain until a bot token is set.</summary>
    private sealed partial class TelegramNotConfiguredNotice(ILogger<TelegramNotConfiguredNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogNotConfigured();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(LogLevel.Warning, "Telegram:BotToken is empty: alerts are recorded, listed at GET /api/anomalies and logged, but reach Telegram only through receivers that carry their own bot token.")]
        private partial void LogNotConfigured();
    }
}
