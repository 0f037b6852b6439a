using AiDevOps.Brain.Storage;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>Sends alerts as HTML messages through the Telegram Bot API.</summary>
public sealed class TelegramNotifier(ITelegramBotClient bot) : INotifier
{
    public string Channel => TelegramOptions.Channel;

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        ChatId chat = long.TryParse(receiver.Address, out var id) ? new ChatId(id) : new ChatId(receiver.Address);
        try
        {
            await bot.SendMessage(
                chat,
                AlertMessageFormatter.ToTelegramHtml(notification),
                parseMode: ParseMode.Html,
                linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
                cancellationToken: ct);
            return NotifyResult.Success;
        }
        catch (ApiRequestException e) when (e.ErrorCode is 429 or >= 500)
        {
            return NotifyResult.Retry($"Bot API {e.ErrorCode}: {e.Message}");
        }
        catch (ApiRequestException e)
        {
            // 400 (chat not found, bad markup), 401 (token revoked), 403 (bot blocked): trying again cannot help.
            return NotifyResult.Fail($"Bot API {e.ErrorCode}: {e.Message}");
        }
        catch (RequestException e)
        {
            return NotifyResult.Retry("Bot API unreachable: " + e.Message);
        }
    }
}
