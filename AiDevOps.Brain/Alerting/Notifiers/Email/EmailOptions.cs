using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using MailKit.Security;
using MimeKit;

namespace AiDevOps.Brain.Alerting.Notifiers.Email;

/// <summary>The SMTP server alerts are sent through. Without <see cref="Host"/> the e-mail channel sends nothing.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string Section = "Email";
    public const string Channel = "email";

    public const string NoTls = "none";
    public const string StartTls = "starttls";
    public const string ImplicitTls = "tls";

    /// <summary>Said by the channel whenever it is asked to work without a server.</summary>
    public const string NotConfigured =
        "The e-mail channel has no SMTP server: set Email:Host and Email:From (and Email:Username / Email:Password when the server wants a login).";

    public string? Host { get; set; }

    /// <summary>Unset: 25 without TLS, 587 with STARTTLS, 465 with TLS from the first byte.</summary>
    public int? Port { get; set; }

    /// <summary>The sender, e.g. <c>AiDevOps &lt;alerts@example.com&gt;</c>.</summary>
    public string? From { get; set; }

    public string? Username { get; set; }

    /// <summary>A secret: from the environment or a secret store only; never logged, never in an error message.</summary>
    public string? Password { get; set; }

    /// <summary><c>none</c>, <c>starttls</c> (the connection must upgrade) or <c>tls</c> (TLS from the first byte).</summary>
    public string Tls { get; set; } = StartTls;

    /// <summary>The whole delivery of one message: connect, login, send.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    [MemberNotNullWhen(true, nameof(Host))]
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public int EffectivePort => Port ?? TlsMode switch
    {
        NoTls => 25,
        ImplicitTls => 465,
        _ => 587,
    };

    private string TlsMode => Tls.Trim().ToLowerInvariant();

    public SecureSocketOptions SocketOptions => TlsMode switch
    {
        NoTls => SecureSocketOptions.None,
        ImplicitTls => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TlsMode is not (NoTls or StartTls or ImplicitTls))
            yield return new ValidationResult($"{Section}:Tls '{Tls}' must be {NoTls}, {StartTls} or {ImplicitTls}.", [nameof(Tls)]);
        if (Port is not null and not (>= 1 and <= 65535))
            yield return new ValidationResult($"{Section}:Port '{Port}' must be between 1 and 65535.", [nameof(Port)]);
        if (Timeout <= TimeSpan.Zero)
            yield return new ValidationResult($"{Section}:Timeout '{Timeout}' must be positive.", [nameof(Timeout)]);
        if (!IsConfigured)
            yield break;
        if (Uri.CheckHostName(Host) == UriHostNameType.Unknown)
            yield return new ValidationResult($"{Section}:Host '{Host}' must be a host name or an IP address, without a scheme or a port (see {Section}:Port).", [nameof(Host)]);
        if (!TryParseMailbox(From, allowName: true, out _))
            yield return new ValidationResult($"{Section}:From '{From}' must be one e-mail address, e.g. AiDevOps <alerts@example.com>; it is required with {Section}:Host.", [nameof(From)]);
        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
            yield return new ValidationResult($"{Section}:Username '{Username}' is set but {Section}:Password is not.", [nameof(Password)]);
        if (string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password))
            yield return new ValidationResult($"{Section}:Password is set but {Section}:Username is not.", [nameof(Username)]);
    }

    /// <summary>
    /// One mailbox, <c>ops@example.com</c> (with <paramref name="allowName"/> also <c>Ops &lt;ops@example.com&gt;</c>):
    /// a local part and a domain, no list, no group, no line break that could start another header.
    /// </summary>
    public static bool TryParseMailbox(string? text, bool allowName, out MailboxAddress mailbox)
    {
        mailbox = null!;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 320 || text.Any(char.IsControl))
            return false;
        if (!MailboxAddress.TryParse(text.Trim(), out var parsed) || parsed is null)
            return false;
        var at = parsed.Address.LastIndexOf('@');
        if (at <= 0 || at == parsed.Address.Length - 1 || Uri.CheckHostName(parsed.Address[(at + 1)..]) == UriHostNameType.Unknown)
            return false;
        if (!allowName && (!string.IsNullOrEmpty(parsed.Name) || parsed.Address != text.Trim()))
            return false;
        mailbox = parsed;
        return true;
    }
}
