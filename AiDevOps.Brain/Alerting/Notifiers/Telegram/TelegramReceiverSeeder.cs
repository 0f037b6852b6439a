using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>Writes the configured chats into the alert-configs table as receivers of the default tenant.</summary>
public sealed partial class TelegramReceiverSeeder(
    TableInitializer tables, AlertConfigStore receivers, IOptions<TelegramOptions> options, ILogger<TelegramReceiverSeeder> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await tables.Ready.WaitAsync(stoppingToken);
        foreach (var chat in options.Value.ChatIds)
            await receivers.PutReceiverAsync(TenantNames.Default, new Receiver(TelegramOptions.Channel, chat), stoppingToken);
        if (options.Value.ChatIds.Count > 0)
            LogSeeded(options.Value.ChatIds.Count);
    }

    [LoggerMessage(LogLevel.Information, "Telegram receivers configured: {Count} chats")]
    private partial void LogSeeded(int count);
}
