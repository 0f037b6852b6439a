using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

public sealed class TelegramOptions : IValidatableObject
{
    public const string Section = "Telegram";
    public const string Channel = "telegram";

    /// <summary>The bot's token from @BotFather. A secret: it arrives from the environment or a secret store only.</summary>
    public string? BotToken { get; set; }

    /// <summary>Any Bot API server: Telegram's, or a self-hosted telegram-bot-api.</summary>
    public string ApiBaseUrl { get; set; } = "https://api.telegram.org";

    /// <summary>Chats (ids, or @channel names) written to the alert-configs table as receivers at startup.</summary>
    public List<string> ChatIds { get; set; } = [];

    /// <summary>
    /// How the Brain hears the inline buttons pressed under its messages: <c>polling</c> (getUpdates long polling with
    /// <see cref="BotToken"/>) or <c>off</c>. Polling and a webhook exclude each other at Telegram.
    /// </summary>
    public string Updates { get; set; } = UpdatesPolling;

    /// <summary>How long one getUpdates waits for an update before it answers empty (Telegram's <c>timeout</c>).</summary>
    public TimeSpan LongPollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Telegram user ids allowed to press the buttons; empty lets anyone in a receiver's chat press them.</summary>
    public List<long> AllowedUserIds { get; set; } = [];

    /// <summary>Messages (sends and edits) a bot sends per second over all chats: Telegram's overall limit is about 30.</summary>
    public int MessagesPerSecond { get; set; } = 30;

    /// <summary>Messages per minute into one group, supergroup or channel: Telegram allows 20.</summary>
    public int GroupMessagesPerMinute { get; set; } = 20;

    /// <summary>Messages per second into one private chat: Telegram asks for no more than one.</summary>
    public int PrivateMessagesPerSecond { get; set; } = 1;

    public const string UpdatesPolling = "polling";
    public const string UpdatesOff = "off";

    private static readonly TimeSpan MinLongPoll = TimeSpan.FromSeconds(1);

    // Telegram answers a long poll after at most 50 s; the client's own timeout must outlast it.
    private static readonly TimeSpan MaxLongPoll = TimeSpan.FromSeconds(50);

    private const int MaxRate = 10_000;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken);

    /// <summary>Whether the Brain polls for button presses: a bot token, and updates not turned off.</summary>
    public bool PollsUpdates => IsConfigured && string.Equals(Updates, UpdatesPolling, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HttpUrl.IsValid(ApiBaseUrl))
            yield return new ValidationResult($"{Section}:ApiBaseUrl '{ApiBaseUrl}' must be an absolute http or https URL.", [nameof(ApiBaseUrl)]);
        if (BotToken is { Length: > 0 } token && !IsBotToken(token))
            yield return new ValidationResult($"{Section}:BotToken does not look like a bot token (<bot id>:<secret>).", [nameof(BotToken)]);
        foreach (var chat in ChatIds.Where(c => !IsChatId(c)))
            yield return new ValidationResult($"{Section}:ChatIds has '{chat}', which is neither a numeric chat id nor an @channel name.", [nameof(ChatIds)]);
        if (!string.Equals(Updates, UpdatesPolling, StringComparison.OrdinalIgnoreCase) && !string.Equals(Updates, UpdatesOff, StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult($"{Section}:Updates '{Updates}' must be {UpdatesPolling} or {UpdatesOff}.", [nameof(Updates)]);
        if (LongPollTimeout < MinLongPoll || LongPollTimeout > MaxLongPoll)
            yield return new ValidationResult($"{Section}:LongPollTimeout '{LongPollTimeout}' must be between {MinLongPoll} and {MaxLongPoll}.", [nameof(LongPollTimeout)]);
        foreach (var user in AllowedUserIds.Where(u => u <= 0))
            yield return new ValidationResult($"{Section}:AllowedUserIds has '{user}'; Telegram user ids are positive numbers.", [nameof(AllowedUserIds)]);
        foreach (var (name, value) in new[]
                 {
                     (nameof(MessagesPerSecond), MessagesPerSecond), (nameof(GroupMessagesPerMinute), GroupMessagesPerMinute),
                     (nameof(PrivateMessagesPerSecond), PrivateMessagesPerSecond),
                 })
        {
            if (value is < 1 or > MaxRate)
                yield return new ValidationResult($"{Section}:{name} '{value}' must be between 1 and {MaxRate}.", [name]);
        }
    }

    /// <summary>A bot token is <c>&lt;bot id&gt;:&lt;secret&gt;</c>, as @BotFather hands it out.</summary>
    public static bool IsBotToken(string token) => token.Length > 2 && token.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && colon < token.Length - 1;

    public static bool IsChatId(string chat) =>
        long.TryParse(chat, out _) || (chat.Length > 1 && chat[0] == '@' && chat[1..].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
}
