using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Sends alerts as HTML messages through the Telegram Bot API, with the receiver's own bot token when it has one,
/// else the Brain's (<c>Telegram:BotToken</c>).
/// </summary>
public sealed class TelegramNotifier(IOptions<TelegramOptions> options) : INotifier
{
    // One client per token, each with an HttpClient of its own outside IHttpClientFactory: their URLs hold the
    // token and must not be logged. Retries are the dispatcher's.
    private readonly ConcurrentDictionary<string, TelegramBotClient> _clients = new(StringComparer.Ordinal);

    private const int MaxSecretLength = 4096;

    public string Channel => TelegramOptions.Channel;

    public IReadOnlyDictionary<string, string[]> Validate(string address, string? secret)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TelegramOptions.IsChatId(address))
            errors["address"] = [$"'{address}' is neither a numeric Telegram chat id nor an @channel name."];
        if (secret is not null && (secret.Length > MaxSecretLength || !TelegramOptions.IsBotToken(secret)))
            errors["secret"] = [$"secret, when given, must be a Telegram bot token (<bot id>:<secret>) of at most {MaxSecretLength} characters."];
        return errors;
    }

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        if ((receiver.Secret ?? options.Value.BotToken) is not { Length: > 0 } token)
            return NotifyResult.Fail("No bot token: set Telegram:BotToken, or give the receiver its own token as its secret.");
        var bot = _clients.GetOrAdd(token, t =>
            new TelegramBotClient(new TelegramBotClientOptions(t, options.Value.ApiBaseUrl.TrimEnd('/')) { RetryCount = 0 }));

        ChatId chat = long.TryParse(receiver.Address, out var id) ? new ChatId(id) : new ChatId(receiver.Address);
        try
        {
            await bot.SendMessage(
                chat,
                TelegramMessageFormatter.ToHtml(notification),
                parseMode: ParseMode.Html,
                linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
                // Telegram's silent message: it arrives without a sound.
                disableNotification: !notification.Pages,
                cancellationToken: ct);
            return NotifyResult.Success;
        }
        catch (ApiRequestException e) when (e.ErrorCode is 429 or >= 500)
        {
            var after = e.Parameters?.RetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            return NotifyResult.Retry($"Bot API {e.ErrorCode}: {e.Message}", after);
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
