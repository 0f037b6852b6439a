using AiDevOps.Brain.Anomalies;

namespace AiDevOps.Brain.Alerting;

public enum NotificationStatus
{
    Firing,
    Resolved,
}

/// <summary>What a notifier sends: an anomaly that opened or resolved, with its summary when one was written.</summary>
public sealed record Notification(NotificationStatus Status, Anomaly Anomaly);

/// <summary>
/// The outcome of one delivery; a failure says whether trying again can help, and when the channel asked to be
/// tried again (a rate limit's <c>retry_after</c>), which is then honoured exactly.
/// </summary>
public sealed record NotifyResult(bool Delivered, bool Retryable, string? Error, TimeSpan? RetryAfter = null)
{
    public static readonly NotifyResult Success = new(true, false, null);

    public static NotifyResult Retry(string error, TimeSpan? after = null) => new(false, true, error, after);

    public static NotifyResult Fail(string error) => new(false, false, error);
}

/// <summary>
/// One channel (Telegram, Slack, email…). It knows what its receivers look like and sends; retries, ordering and
/// recipients live in the dispatcher, so a new channel is one folder and one registration.
/// </summary>
public interface INotifier
{
    /// <summary>The channel name receivers use, e.g. <c>telegram</c>.</summary>
    string Channel { get; }

    /// <summary>
    /// What is wrong with a receiver of this channel, by field (<c>address</c>, <c>secret</c>); empty when nothing is.
    /// A message never repeats the secret.
    /// </summary>
    IReadOnlyDictionary<string, string[]> Validate(string address, string? secret);

    Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct);
}
