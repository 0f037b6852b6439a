using AiDevOps.Brain.Alerting.Incidents;
using Telegram.Bot.Types.ReplyMarkups;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>What a button under an incident's message asks for.</summary>
public enum TelegramAction
{
    Acknowledge,
    SilenceHour,
    SilenceDay,
}

/// <summary>
/// The buttons under an incident's message and the data they send back: <c>&lt;action&gt;:&lt;incident id&gt;</c>,
/// within the Bot API's 64 bytes. The data only names what to do; who may do it is checked when it comes back.
/// </summary>
public static class TelegramButtons
{
    private static readonly Dictionary<TelegramAction, (string Code, string Label)> Actions = new()
    {
        [TelegramAction.Acknowledge] = ("ack", "👤 Acknowledge"),
        [TelegramAction.SilenceHour] = ("s1h", "🔕 Silence 1 h"),
        [TelegramAction.SilenceDay] = ("s24h", "🔕 Silence 24 h"),
    };

    /// <summary>The keyboard for an incident: none once resolved; no Acknowledge once someone took it.</summary>
    public static InlineKeyboardMarkup? For(Incident incident)
    {
        if (!incident.IsOpen)
            return null;
        var actions = incident.State == IncidentState.Acknowledged
            ? [TelegramAction.SilenceHour, TelegramAction.SilenceDay]
            : new[] { TelegramAction.Acknowledge, TelegramAction.SilenceHour, TelegramAction.SilenceDay };
        return new InlineKeyboardMarkup(actions.Select(a => InlineKeyboardButton.WithCallbackData(Actions[a].Label, $"{Actions[a].Code}:{incident.Id}")));
    }

    public static bool TryParse(string? data, out TelegramAction action, out string incidentId)
    {
        action = default;
        incidentId = "";
        if (data?.Split(':', 2) is not [var code, var id] || id.Length == 0)
            return false;
        foreach (var (candidate, (known, _)) in Actions)
        {
            if (known == code)
            {
                action = candidate;
                incidentId = id;
                return true;
            }
        }
        return false;
    }
}
