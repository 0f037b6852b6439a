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

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HttpUrl.IsValid(ApiBaseUrl))
            yield return new ValidationResult($"{Section}:ApiBaseUrl '{ApiBaseUrl}' must be an absolute http or https URL.", [nameof(ApiBaseUrl)]);
        if (BotToken is { Length: > 0 } token && !IsBotToken(token))
            yield return new ValidationResult($"{Section}:BotToken does not look like a bot token (<bot id>:<secret>).", [nameof(BotToken)]);
        foreach (var chat in ChatIds.Where(c => !IsChatId(c)))
            yield return new ValidationResult($"{Section}:ChatIds has '{chat}', which is neither a numeric chat id nor an @channel name.", [nameof(ChatIds)]);
    }

    /// <summary>A bot token is <c>&lt;bot id&gt;:&lt;secret&gt;</c>, as @BotFather hands it out.</summary>
    public static bool IsBotToken(string token) => token.Length > 2 && token.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && colon < token.Length - 1;

    public static bool IsChatId(string chat) =>
        long.TryParse(chat, out _) || (chat.Length > 1 && chat[0] == '@' && chat[1..].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));
}
