using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Storage;

namespace AiDevOps.Brain.Alerting;

public enum NotificationStatus
{
    Firing,
    Resolved,
}

/// <summary>What a notifier sends: an anomaly that opened or resolved, with its summary when one was written.</summary>
public sealed record Notification(NotificationStatus Status, Anomaly Anomaly);

/// <summary>The outcome of one delivery; a failure says whether trying again can help.</summary>
public sealed record NotifyResult(bool Delivered, bool Retryable, string? Error)
{
    public static readonly NotifyResult Success = new(true, false, null);

    public static NotifyResult Retry(string error) => new(false, true, error);

    public static NotifyResult Fail(string error) => new(false, false, error);
}

/// <summary>
/// One channel (Telegram, Slack, email…). It only sends; retries, ordering and recipients live in the dispatcher,
/// so a new channel is one class and one registration.
/// </summary>
public interface INotifier
{
    /// <summary>The channel name receivers use, e.g. <c>telegram</c>.</summary>
    string Channel { get; }

    Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct);
}
