using System.Collections.Concurrent;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using Fluid;
using Fluid.Values;

namespace AiDevOps.Brain.Alerting.Templates;

/// <summary>
/// Renders a tenant's templates for the notifiers, sandboxed: Liquid through Fluid over <see cref="TemplateModel"/>
/// only, with no file provider (no <c>include</c>), bounded in steps, recursion, collection size, output and time.
/// A notifier asks for its text and gets null when the tenant has no template or its template fails; it then sends
/// its built-in message, so a broken template costs the wording, never the alert.
/// </summary>
public sealed partial class AlertTemplates(AlertTemplateStore store, ILogger<AlertTemplates> logger)
{
    /// <summary>A template that needs longer than this to render is stuck or abusive; the built-in message goes instead.</summary>
    public static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Far beyond what any channel carries (a Telegram message is 4,096 characters); the cut to fit comes after.</summary>
    public const int MaxOutputSize = 256 * 1024;

    public const int MaxSubjectLength = 200;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(100_000)
        .WithMaxRecursion(20)
        .WithMaxOutputSize(MaxOutputSize)
        .WithMaxCollectionSize(10_000)
        .WithTimeZone(TimeZoneInfo.Utc)
        .Build();

    // Parsing is the costly part; tenants have a handful of templates, so the cache stays small.
    private static readonly ConcurrentDictionary<string, IFluidTemplate> Parsed = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="source"/>; <paramref name="error"/> is Fluid's message (with line and column) when it cannot.</summary>
    public static bool TryParse(string source, out IFluidTemplate template, out string error)
    {
        if (Parsed.TryGetValue(source, out template!))
        {
            error = "";
            return true;
        }
        if (!Parser.TryParse(source, out template, out error))
            return false;
        if (Parsed.Count > 1000)
            Parsed.Clear();
        Parsed[source] = template;
        return true;
    }

    /// <summary>
    /// Renders <paramref name="source"/> for <paramref name="notification"/>, with data escaped by
    /// <paramref name="encoder"/> (none for plain text). Throws when it does not parse, exceeds a limit or takes too long.
    /// </summary>
    public static async Task<string> RenderAsync(string source, Notification notification, TextEncoder? encoder, CancellationToken ct)
    {
        if (!TryParse(source, out var template, out var error))
            throw new TemplateException("The template does not parse: " + error);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(RenderTimeout);
        var context = new TemplateContext(Options) { CancellationToken = deadline.Token };
        foreach (var (name, value) in TemplateModel.Of(notification))
            context.SetValue(name, FluidValue.Create(value, Options));
        try
        {
            return encoder is null ? await template.RenderAsync(context) : await template.RenderAsync(context, encoder);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TemplateException($"The template took longer than {RenderTimeout.TotalSeconds:0} s to render.");
        }
        catch (Exception e) when (e is not (OperationCanceledException or TemplateException))
        {
            throw new TemplateException(e.Message, e);
        }
    }

    /// <summary>Telegram HTML, fitted to a message; data escaped with the four entities Telegram knows.</summary>
    public static async Task<TelegramHtmlFit.Result> RenderTelegramAsync(string source, Notification notification, CancellationToken ct) =>
        TelegramHtmlFit.Fit(await RenderAsync(source, notification, MarkupEncoder.Telegram, ct));

    /// <summary>An e-mail subject: one line, shortened.</summary>
    public static async Task<string> RenderSubjectAsync(string source, Notification notification, CancellationToken ct) =>
        AlertText.Shorten(AlertText.Clean(string.Join(' ', (await RenderAsync(source, notification, null, ct))
            .Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))), MaxSubjectLength);

    /// <summary>The tenant's Telegram HTML for <paramref name="notification"/>; null: send the built-in message.</summary>
    public async Task<string?> TelegramHtmlAsync(Notification notification, CancellationToken ct)
    {
        var fitted = await TryAsync(notification, "telegram", t => t.Body, (s, n) => RenderTelegramAsync(s, n, ct), ct);
        if (fitted is { IsEmpty: true })
        {
            LogFailed(notification.Incident.Tenant, "telegram", notification.Incident.Id, "the template rendered no text");
            return null;
        }
        return fitted?.Html;
    }

    /// <summary>The tenant's Slack mrkdwn for <paramref name="notification"/>; null: send the built-in message.</summary>
    public async Task<string?> SlackTextAsync(Notification notification, CancellationToken ct)
    {
        var text = await TryAsync(notification, "slack", t => t.Body, (s, n) => RenderAsync(s, n, MarkupEncoder.Slack, ct), ct);
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>The tenant's e-mail subject and HTML body; each null keeps the built-in one.</summary>
    public async Task<EmailContent> EmailAsync(Notification notification, CancellationToken ct)
    {
        var subject = await TryAsync(notification, "email", t => t.Subject, (s, n) => RenderSubjectAsync(s, n, ct), ct);
        var html = await TryAsync(notification, "email", t => t.Body, (s, n) => RenderAsync(s, n, MarkupEncoder.Html, ct), ct);
        return new EmailContent(string.IsNullOrWhiteSpace(subject) ? null : subject, string.IsNullOrWhiteSpace(html) ? null : html);
    }

    private async Task<T?> TryAsync<T>(Notification notification, string channel, Func<AlertTemplate, string?> part,
        Func<string, Notification, Task<T>> render, CancellationToken ct)
        where T : class
    {
        var tenant = notification.Incident.Tenant;
        try
        {
            if (await store.FindAsync(tenant, channel, ct) is not { } template || part(template) is not { Length: > 0 } source)
                return null;
            return await render(source, notification);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The table unreachable or the template failing: the built-in message still goes out.
            LogFailed(tenant, channel, notification.Incident.Id, e.Message);
            return null;
        }
    }

    /// <summary>A text part for a template's HTML e-mail: its words, one block a line, entities decoded.</summary>
    public static string TextOf(string html)
    {
        var text = HiddenElements().Replace(html, "");
        text = BlockEnds().Replace(text, "\n");
        text = Tags().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        return BlankLines().Replace(string.Join('\n', text.Split('\n').Select(l => l.Trim())), "\n\n").Trim() + "\n";
    }

    [GeneratedRegex(@"<(style|script|head)\b.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HiddenElements();

    [GeneratedRegex(@"<br\s*/?>|</(p|div|li|tr|h[1-6]|ul|ol|table|blockquote|pre)\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnds();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();

    [LoggerMessage(LogLevel.Warning, "The {Channel} template of tenant {Tenant} failed for incident {IncidentId}, so the built-in message is sent: {Reason}")]
    private partial void LogFailed(string tenant, string channel, string incidentId, string reason);
}

/// <summary>What a tenant's e-mail template says; a null part keeps the built-in one.</summary>
public sealed record EmailContent(string? Subject, string? Html);

/// <summary>A template that does not parse or fails while rendering, in words for its author.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message) : base(message)
    {
    }

    public TemplateException(string message, Exception inner) : base(message, inner)
    {
    }

    public TemplateException()
    {
    }
}
