using AiDevOps.Brain.Alerting.Digests;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting;

public enum NotificationStatus
{
    Firing,
    Resolved,
}

/// <summary>Why an incident is being sent; each channel decides what it does with each (send, edit, reply, nothing).</summary>
public enum NotificationKind
{
    /// <summary>A new incident: sent at once, no group wait.</summary>
    Opened,

    /// <summary>A member joined or resolved: the incident's message is edited, nobody is woken.</summary>
    Updated,

    /// <summary>An incident that did not page gained a member that does: sent again, loudly.</summary>
    Escalated,

    /// <summary>Took back a member within its group interval after it resolved: firing again.</summary>
    Reopened,

    /// <summary>Still open after the repeat interval and nobody acknowledged it.</summary>
    Repeated,

    /// <summary>Someone took it: the message says who, repeats stop.</summary>
    Acknowledged,

    /// <summary>Its last member resolved: the message is edited and a short reply says so.</summary>
    Resolved,
}

/// <summary>
/// What a notifier sends: an incident, why it is being sent, and the channel's reference to the message already sent
/// for this incident to this receiver (a Telegram message id), when there is one.
/// </summary>
public sealed record Notification(NotificationKind Kind, Incident Incident, string? MessageRef = null)
{
    public NotificationStatus Status => Incident.IsOpen ? NotificationStatus.Firing : NotificationStatus.Resolved;

    /// <summary>The member a one-alert channel shows; see <see cref="Incident.Lead"/>.</summary>
    public Anomaly Anomaly => Incident.Lead;

    /// <summary>Insights' explanation of the incident, else of its lead member; null while there is none.</summary>
    public string? Summary => Incident.Summary ?? Anomaly.Summary;

    /// <summary>Whether it should wake someone (a sound, a page) or arrive quietly; see <see cref="Severity"/>.</summary>
    public bool Pages => Incident.Pages;

    /// <summary>News a person should see as a new message, rather than a change to the one they have.</summary>
    public bool IsNews => Kind is NotificationKind.Opened or NotificationKind.Escalated or NotificationKind.Reopened or NotificationKind.Repeated;
}

/// <summary>
/// Quiet by default: a person is woken only for what deserves it at once. A target down, a silent agent, a resource
/// about to run out and a Prometheus alert its rule marks <c>severity="critical"</c> or <c>"page"</c> page; an
/// unusual series, which the detectors raise about 0.02 times a series a day on a healthy fleet, and any other
/// Prometheus alert arrive silently, to be read, not to wake anyone.
/// </summary>
public static class Severity
{
    /// <summary>The label by which Prometheus alerting rules conventionally say how urgent an alert is.</summary>
    public const string Label = "severity";

    public static bool Pages(Anomaly anomaly) => anomaly.Kind switch
    {
        AnomalyKinds.TargetDown or AnomalyKinds.AgentSilent or AnomalyKinds.PredictedExhaustion => true,
        AnomalyKinds.PrometheusAlert => anomaly.Series.Labels.GetValueOrDefault(Label)?.ToLowerInvariant() is "critical" or "page",
        _ => false,
    };

    /// <summary>The same decision in the words channels with a severity field use (PagerDuty, Alertmanager webhooks).</summary>
    public static AlertSeverity Of(Anomaly anomaly) => Pages(anomaly) ? AlertSeverity.Critical : AlertSeverity.Warning;
}

public enum AlertSeverity
{
    Warning,
    Critical,
}

/// <summary>
/// The outcome of one delivery; a failure says whether trying again can help, and when the channel asked to be
/// tried again (a rate limit's <c>retry_after</c>), which is then honoured exactly. A channel that can change what it
/// sent returns its reference to the message (<see cref="MessageRef"/>), kept per incident and receiver.
/// </summary>
public sealed record NotifyResult(bool Delivered, bool Retryable, string? Error, TimeSpan? RetryAfter = null, string? MessageRef = null)
{
    public static readonly NotifyResult Success = new(true, false, null);

    public static NotifyResult Sent(string? messageRef) => new(true, false, null, MessageRef: messageRef);

    public static NotifyResult Retry(string error, TimeSpan? after = null) => new(false, true, error, after);

    public static NotifyResult Fail(string error) => new(false, false, error);
}

/// <summary>
/// One channel (Telegram, Slack, email…). It knows what its receivers look like, what each kind of notification
/// means on it, and sends; retries, ordering and recipients live in the pipeline, so a new channel is one folder and
/// one registration.
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

    /// <summary>Sends a tenant's daily digest, quietly; null for a channel that takes none (a pager, a webhook).</summary>
    Task<NotifyResult?> SendDigestAsync(Receiver receiver, Digest digest, CancellationToken ct) => Task.FromResult<NotifyResult?>(null);
}
