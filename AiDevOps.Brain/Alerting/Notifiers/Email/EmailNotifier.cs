using AiDevOps.Brain.Alerting.Digests;
using MimeKit;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using AiDevOps.Brain.Alerting.Templates;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Notifiers.Email;

/// <summary>
/// Sends alerts by e-mail through the configured SMTP server (<c>Email:*</c>), one connection per message: alerts
/// are rare, and a fresh connection never inherits a server's stale state. A receiver's address is its recipient.
/// </summary>
/// <remarks>
/// The channel is always registered. Without <c>Email:Host</c> a new e-mail receiver is refused, and a stored one
/// fails for good, each saying what to configure: a receiver that can never be delivered is better refused when it
/// is created than discovered when an alert is lost, and "channel must be one of 'telegram'" would hide what is
/// missing.
/// </remarks>
public sealed class EmailNotifier(IOptions<EmailOptions> options, AlertTemplates? templates = null) : INotifier
{
    public string Channel => EmailOptions.Channel;

    public IReadOnlyDictionary<string, string[]> Validate(string address, string? secret)
    {
        var errors = new Dictionary<string, string[]>();
        if (!options.Value.IsConfigured)
            errors["channel"] = [EmailOptions.NotConfigured];
        if (!EmailOptions.TryParseMailbox(address, allowName: false, out _))
            errors["address"] = [$"'{address}' is not one e-mail address such as ops@example.com."];
        if (secret is not null)
            errors["secret"] = ["An e-mail receiver takes no secret: the SMTP login is the Brain's (Email:Username, Email:Password)."];
        return errors;
    }

    public async Task<NotifyResult> NotifyAsync(Receiver receiver, Notification notification, CancellationToken ct)
    {
        // A mail for what is news and for the resolve; the changes in between would only fill an inbox.
        if (!notification.IsNews && notification.Kind != NotificationKind.Resolved)
            return NotifyResult.Success;
        var settings = options.Value;
        if (!settings.IsConfigured)
            return NotifyResult.Fail(EmailOptions.NotConfigured);
        if (!EmailOptions.TryParseMailbox(receiver.Address, allowName: false, out var to))
            return NotifyResult.Fail($"'{receiver.Address}' is not an e-mail address.");
        if (!EmailOptions.TryParseMailbox(settings.From, allowName: true, out var from))
            return NotifyResult.Fail($"Email:From '{settings.From}' is not an e-mail address.");
        var custom = templates is null ? null : await templates.EmailAsync(notification, ct);
        return await SendAsync(EmailMessageFormatter.ToMessage(notification, from, to, custom), ct);
    }

    public async Task<NotifyResult?> SendDigestAsync(Receiver receiver, Digest digest, CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.IsConfigured || !EmailOptions.TryParseMailbox(receiver.Address, allowName: false, out var to)
            || !EmailOptions.TryParseMailbox(settings.From, allowName: true, out var from))
            return NotifyResult.Fail("E-mail is not configured for this receiver.");
        var message = new MimeMessage { Subject = digest.Title };
        message.From.Add(from);
        message.To.Add(to);
        message.Body = new TextPart("plain") { Text = digest.Text() };
        return await SendAsync(message, ct);
    }

    private async Task<NotifyResult> SendAsync(MimeMessage message, CancellationToken ct)
    {
        var settings = options.Value;
        var server = $"SMTP server {settings.Host}:{settings.EffectivePort}";

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.Timeout);
        using var smtp = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, settings.Timeout.TotalMilliseconds) };
        try
        {
            await smtp.ConnectAsync(settings.Host!, settings.EffectivePort, settings.SocketOptions, deadline.Token);
            if (!string.IsNullOrEmpty(settings.Username))
                await smtp.AuthenticateAsync(settings.Username, settings.Password ?? "", deadline.Token);
            await smtp.SendAsync(message, deadline.Token);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return NotifyResult.Retry($"{server} did not finish within Email:Timeout ({settings.Timeout}).");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Classify(e, server);
        }

        try
        {
            await smtp.DisconnectAsync(quit: true, deadline.Token);
        }
        catch (Exception e) when (e is ProtocolException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            // The server took the message; a failed goodbye must not have it sent twice.
        }
        return NotifyResult.Success;
    }

    /// <summary>
    /// SMTP's own rule (RFC 5321, 4.2.1): a 4xx reply is transient and the same command may succeed later, a 5xx reply
    /// is permanent. A server that cannot be reached or drops the connection may be back soon (one that does not
    /// answer in time is caught before this); a refused login, a TLS handshake that fails or a TLS mode the server
    /// does not offer are configuration, not luck.
    /// </summary>
    public static NotifyResult Classify(Exception e, string server) => e switch
    {
        SmtpCommandException { StatusCode: var code } when (int)code is >= 400 and < 500 =>
            NotifyResult.Retry($"{server} answered {(int)code} (transient): {e.Message}"),
        SmtpCommandException { StatusCode: var code } =>
            NotifyResult.Fail($"{server} answered {(int)code}: {e.Message}"),
        AuthenticationException =>
            NotifyResult.Fail($"{server} refused the login of Email:Username: {e.Message}"),
        SslHandshakeException =>
            NotifyResult.Fail($"TLS with {server} failed (check Email:Tls and the server's certificate): {FirstLine(e.Message)}"),
        NotSupportedException =>
            NotifyResult.Fail($"{server} cannot do what Email:Tls asks: {e.Message}"),
        SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException =>
            NotifyResult.Retry($"{server} unreachable: {e.Message}"),
        _ => NotifyResult.Retry($"{server}: {e.GetType().Name}: {e.Message}"),
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
