using AiDevOps.Brain.Alerting.Digests;
using System.Collections.Concurrent;
using System.Globalization;
using AiDevOps.Brain.Alerting.Templates;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Sends incidents as HTML messages through the Telegram Bot API, with the receiver's own bot token when it has one,
/// else the Brain's (<c>Telegram:BotToken</c>). One message an incident: news (opened, escalated, firing again, sent
/// again) is a new message, a reply to the one before, with a sound only when the incident pages; every other change
/// edits the incident's message; a resolve edits it and replies with one short, silent line. The message carries the
/// buttons (acknowledge, silence) while the incident is open, and goes to the route's forum topic if it names one.
/// Every call waits for its turn under Telegram's flood limits (<see cref="TelegramRateLimits"/>) first.
/// </summary>
/// <remarks>The text is the tenant's template when it has one (<see cref="AlertTemplates"/>), else <see cref="TelegramMessageFormatter"/>.</remarks>
public sealed class TelegramNotifier(IOptions<TelegramOptions> options, AlertTemplates? templates = null) : INotifier, IDisposable
{
    // One client per token, each with an HttpClient of its own outside IHttpClientFactory: their URLs hold the
    // token and must not be logged. Retries are the pipeline's.
    private readonly ConcurrentDictionary<string, TelegramBotClient> _clients = new(StringComparer.Ordinal);

    private readonly TelegramRateLimits _limits = new(options.Value);

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

    /// <summary>The client for a receiver: its own token, else the Brain's; null when there is neither.</summary>
    public TelegramBotClient? ClientFor(Receiver receiver) =>
        TokenOf(receiver) is { } token
            ? _clients.GetOrAdd(token, t => new TelegramBotClient(new TelegramBotClientOptions(t, options.Value.ApiBaseUrl.TrimEnd('/')) { RetryCount = 0 }))
            : null;

    private string? TokenOf(Receiver receiver) => (receiver.Secret ?? options.Value.BotToken) is { Length: > 0 } token ? token : null;

    public static ChatId ChatOf(string address) => long.TryParse(address, out var id) ? new ChatId(id) : new ChatId(address);

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        if (ClientFor(receiver) is not { } bot)
            return NotifyResult.Fail("No bot token: set Telegram:BotToken, or give the receiver its own token as its secret.");
        var chat = ChatOf(receiver.Address);
        Task Turn() => _limits.WaitTurnAsync(TokenOf(receiver)!, receiver.Address, ct);
        int? previous = int.TryParse(notification.MessageRef, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        var html = (templates is null ? null : await templates.TelegramHtmlAsync(notification, ct)) ?? TelegramMessageFormatter.ToHtml(notification);
        return await OutcomeOfAsync(async () =>
        {
            if (notification.IsNews || previous is null)
            {
                await Turn();
                return NotifyResult.Sent(await SendAsync(bot, chat, html, notification, previous, ct));
            }
            await Turn();
            await EditAsync(bot, chat, previous.Value, html, notification, ct);
            if (notification.Kind == NotificationKind.Resolved)
            {
                await Turn();
                await bot.SendMessage(chat, TelegramMessageFormatter.ResolvedReply(notification.Incident),
                    replyParameters: Reply(previous.Value), messageThreadId: notification.Incident.Settings.TelegramThreadId,
                    disableNotification: true, cancellationToken: ct);
            }
            return NotifyResult.Sent(notification.MessageRef);
        });
    }

    public async Task<NotifyResult?> SendDigestAsync(Receiver receiver, Digest digest, CancellationToken ct)
    {
        if (ClientFor(receiver) is not { } bot)
            return NotifyResult.Fail("No bot token: set Telegram:BotToken, or give the receiver its own token as its secret.");
        var text = $"<b>{TelegramMessageFormatter.Escape(digest.Title)}</b>\n\n"
            + TelegramMessageFormatter.Escape(AlertText.Shorten(digest.Text(), TelegramMessageFormatter.MaxLength - digest.Title.Length - 2));
        return await OutcomeOfAsync(async () =>
        {
            await _limits.WaitTurnAsync(TokenOf(receiver)!, receiver.Address, ct);
            await bot.SendMessage(ChatOf(receiver.Address), text, ParseMode.Html, disableNotification: true, cancellationToken: ct);
            return NotifyResult.Success;
        });
    }

    /// <summary>What a Bot API call came to: its own result, or what its failure means for trying again.</summary>
    private static async Task<NotifyResult> OutcomeOfAsync(Func<Task<NotifyResult>> call)
    {
        try
        {
            return await call();
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

    private static async Task<string> SendAsync(TelegramBotClient bot, ChatId chat, string html, Notification notification, int? previous, CancellationToken ct)
    {
        var sent = await bot.SendMessage(
            chat,
            html,
            parseMode: ParseMode.Html,
            replyParameters: previous is { } to ? Reply(to) : null,
            replyMarkup: TelegramButtons.For(notification.Incident),
            linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
            messageThreadId: notification.Incident.Settings.TelegramThreadId,
            // Telegram's silent message: it arrives without a sound.
            disableNotification: !notification.Pages || notification.Kind == NotificationKind.Resolved,
            cancellationToken: ct);
        return sent.MessageId.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task EditAsync(TelegramBotClient bot, ChatId chat, int messageId, string html, Notification notification, CancellationToken ct)
    {
        try
        {
            await bot.EditMessageText(chat, messageId, html, ParseMode.Html,
                replyMarkup: TelegramButtons.For(notification.Incident), linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
                cancellationToken: ct);
        }
        catch (ApiRequestException e) when (e.ErrorCode == 400 && e.Message.Contains("not modified", StringComparison.OrdinalIgnoreCase))
        {
            // The same edit again (a retry after the Brain stopped between the edit and its record): already done.
        }
    }

    public void Dispose() => _limits.Dispose();

    // A reply to a message the chat deleted still goes out, as a plain message.
    private static ReplyParameters Reply(int messageId) => new() { MessageId = messageId, AllowSendingWithoutReply = true };
}
