using System.Diagnostics.Metrics;
using System.Globalization;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Answers the buttons under the Brain's messages (<see cref="TelegramButtons"/>): it long-polls <c>getUpdates</c> with
/// <c>Telegram:BotToken</c> for callback queries only, and for each one acknowledges or silences the incident, through
/// <see cref="AlertDispatcher"/> like the API does. A press counts only from a chat the incident was sent to (a
/// Telegram receiver of its tenant, reached with this bot) and, when <c>Telegram:AllowedUserIds</c> lists anyone,
/// from one of them; button data can be forged by a client, so nothing else is trusted. Every callback is answered,
/// refused ones too (logged and counted, nothing changed). Telegram keeps an update until a later getUpdates
/// confirms it (offset = last update_id + 1), so the offset is confirmed on the way out as well: a restart does not
/// handle a press twice. Telegram serves one poller a bot: of several Brains, the one running the first configured
/// tenant's alerting polls, for every tenant; the others wait.
/// </summary>
public sealed partial class TelegramCallbacks(
    IOptions<TelegramOptions> options,
    IncidentActions pipeline,
    AlertDispatcher dispatcher,
    IncidentStore incidents,
    AlertConfigStore receivers,
    AgentDirectory directory,
    TableInitializer tables,
    TimeProvider clock,
    ILogger<TelegramCallbacks> logger) : BackgroundService
{
    private static readonly Meter Meter = new(AlertDispatcher.TelemetryName);
    private static readonly Counter<long> Callbacks = Meter.CreateCounter<long>(
        "aidevops.brain.telegram.callbacks", description: "Telegram button presses by outcome (acknowledged, silenced, resolved, refused) and, when refused, why.");

    private const int BatchLimit = 100;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    // The client's timeout outlasts the long poll it waits for.
    private static readonly TimeSpan ClientSlack = TimeSpan.FromSeconds(15);

    /// <summary>How often a Brain that does not poll looks whether it has become the one that does.</summary>
    private static readonly TimeSpan PollerCheck = TimeSpan.FromSeconds(2);

    private readonly TelegramOptions _options = options.Value;

    /// <summary>What a press comes to: the answer the presser sees, and for a refusal, why (a metric tag).</summary>
    private sealed record Outcome(string Answer, string Kind, string? Refusal = null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.PollsUpdates)
            return;
        await tables.Ready.WaitAsync(stoppingToken);
        // A client of its own: its URLs hold the token (kept out of logs), and a long poll must not wait behind sends.
        using var http = new HttpClient { Timeout = _options.LongPollTimeout + ClientSlack };
        var bot = new TelegramBotClient(new TelegramBotClientOptions(_options.BotToken!, _options.ApiBaseUrl.TrimEnd('/')) { RetryCount = 0 }, http);
        var polls = Backoff.Retry<Update[]>(
            outcome => outcome.Exception is { } e && !(e is OperationCanceledException && stoppingToken.IsCancellationRequested),
            FirstBackoff, MaxBackoff,
            requestedDelay: outcome => (outcome.Exception as ApiRequestException)?.Parameters?.RetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            onRetry: args =>
            {
                LogPollFailed(Describe(args.Outcome.Exception!), args.RetryDelay);
                return ValueTask.CompletedTask;
            },
            time: clock);

        int? offset = null;
        var confirmed = true;
        LogPolling(_options.LongPollTimeout);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (directory.Tenants.Count == 0 || !dispatcher.Serves(directory.Tenants[0]))
                {
                    // Another Brain polls: hand over what this one took, and look again in a while.
                    if (!confirmed)
                        await ConfirmAsync(bot, offset);
                    (offset, confirmed) = (null, true);
                    await Task.Delay(PollerCheck, clock, stoppingToken);
                    continue;
                }
                var asked = offset;
                var updates = await polls.ExecuteAsync(
                    async token => await bot.GetUpdates(asked, BatchLimit, (int)_options.LongPollTimeout.TotalSeconds, [UpdateType.CallbackQuery], token),
                    stoppingToken);
                confirmed = true;
                foreach (var update in updates)
                {
                    offset = update.Id + 1;
                    confirmed = false;
                    if (update.CallbackQuery is { } callback)
                        await AnswerAsync(bot, callback, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        if (!confirmed)
            await ConfirmAsync(bot, offset);
    }

    /// <summary>Tells Telegram the last batch is handled, so the next start does not get it again.</summary>
    private async Task ConfirmAsync(TelegramBotClient bot, int? offset)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await bot.GetUpdates(offset, 1, 0, [UpdateType.CallbackQuery], timeout.Token);
        }
        catch (Exception e)
        {
            LogNotConfirmed(Describe(e));
        }
    }

    private async Task AnswerAsync(TelegramBotClient bot, CallbackQuery callback, CancellationToken ct)
    {
        Outcome outcome;
        try
        {
            outcome = await DecideAsync(callback, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogCallbackFailed(e, callback.Data);
            outcome = new("Could not do that now; try again", "failed");
        }
        Callbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome.Kind), new KeyValuePair<string, object?>("reason", outcome.Refusal));
        try
        {
            await bot.AnswerCallbackQuery(callback.Id, outcome.Answer, cancellationToken: ct);
        }
        catch (Exception e) when (e is ApiRequestException or RequestException or HttpRequestException)
        {
            // A press answered too late (over 15 s, or one from before a restart) is refused by Telegram; nothing to do.
            LogNotAnswered(Describe(e));
        }
    }

    private async Task<Outcome> DecideAsync(CallbackQuery callback, CancellationToken ct)
    {
        var chat = callback.Message?.Chat;
        var user = callback.From;
        if (!TelegramButtons.TryParse(callback.Data, out var action, out var incidentId))
            return Refuse("Unknown button", "unknown_button", callback, null);
        if (chat is null)
            return Refuse("Not allowed from this chat", "chat", callback, incidentId);
        if (await FindAsync(incidentId, ct) is not { } incident)
            return Refuse("Incident not found", "unknown_incident", callback, incidentId);
        var chatReceivers = (await receivers.ListReceiversAsync(incident.Tenant, ct))
            .Where(r => r.Channel == TelegramOptions.Channel && IsReachedByThisBot(r) && IsChat(r.Address, chat))
            .Select(r => r.Id);
        if (!chatReceivers.Any(incident.ReceiverIds.Contains))
            return Refuse("Not allowed from this chat", "chat", callback, incidentId);
        if (_options.AllowedUserIds.Count > 0 && !_options.AllowedUserIds.Contains(user.Id))
            return Refuse("You are not allowed to do this", "user", callback, incidentId);
        if (!incident.IsOpen)
            return new("Incident already resolved", "resolved");

        var by = (user.Username is { Length: > 0 } name ? "@" + name : user.FirstName) + " (telegram)";
        switch (action)
        {
            case TelegramAction.Acknowledge:
                if (await pipeline.AcknowledgeAsync(incident.Tenant, incident.Id, by, ct) is not null)
                    return new("Acknowledged", "acknowledged");
                return await incidents.GetAsync(incident.Tenant, incident.Id, ct) is { State: IncidentState.Acknowledged, AcknowledgedBy: var who }
                    ? new($"Already acknowledged by {who}", "acknowledged_before")
                    : new("Incident already resolved", "resolved");
            default:
                var hours = action == TelegramAction.SilenceHour ? 1 : 24;
                return await pipeline.SilenceAsync(incident.Tenant, incident.Id, TimeSpan.FromHours(hours), by, ct) is not null
                    ? new($"Silenced for {hours} h", "silenced")
                    : new("Incident already resolved", "resolved");
        }
    }

    private Outcome Refuse(string answer, string reason, CallbackQuery callback, string? incidentId)
    {
        LogRefused(reason, incidentId ?? "-", callback.Message?.Chat.Id, callback.From.Id);
        return new(answer, "refused", reason);
    }

    /// <summary>The incident as stored (every change is stored before it is sent), of whichever tenant has it.</summary>
    private async Task<Incident?> FindAsync(string id, CancellationToken ct)
    {
        foreach (var tenant in directory.Tenants)
        {
            if (await incidents.GetAsync(tenant, id, ct) is { } stored)
                return stored;
        }
        return null;
    }

    /// <summary>A receiver with a bot of its own gets its buttons' presses at that bot, never at this one.</summary>
    private bool IsReachedByThisBot(Receiver receiver) => receiver.Secret is null || receiver.Secret == _options.BotToken;

    private static bool IsChat(string address, Chat chat) =>
        address == chat.Id.ToString(CultureInfo.InvariantCulture)
        || (chat.Username is { Length: > 0 } name && address.Length > 1 && address[0] == '@' && string.Equals(address[1..], name, StringComparison.OrdinalIgnoreCase));

    /// <summary>What went wrong, in words that never hold the token (request URLs do).</summary>
    private string Describe(Exception e)
    {
        var what = e is ApiRequestException api ? $"Bot API {api.ErrorCode}: {api.Message}" : $"{e.GetType().Name}: {e.Message}";
        return _options.BotToken is { Length: > 0 } token ? what.Replace(token, "***", StringComparison.Ordinal) : what;
    }

    [LoggerMessage(LogLevel.Information, "Listening for Telegram button presses (getUpdates long polling, {Timeout} a poll)")]
    private partial void LogPolling(TimeSpan timeout);

    [LoggerMessage(LogLevel.Warning, "Telegram getUpdates failed ({Error}); polling again in {Delay}")]
    private partial void LogPollFailed(string error, TimeSpan delay);

    [LoggerMessage(LogLevel.Warning, "Telegram button refused ({Reason}) for incident {IncidentId}: chat {ChatId}, user {UserId}")]
    private partial void LogRefused(string reason, string incidentId, long? chatId, long userId);

    [LoggerMessage(LogLevel.Error, "Telegram button {Data} could not be handled")]
    private partial void LogCallbackFailed(Exception e, string? data);

    [LoggerMessage(LogLevel.Information, "Telegram button press not answered: {Error}")]
    private partial void LogNotAnswered(string error);

    [LoggerMessage(LogLevel.Warning, "The last Telegram updates were not confirmed ({Error}); the next start may see them again")]
    private partial void LogNotConfirmed(string error);
}
