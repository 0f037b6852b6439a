using System.Security.Claims;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Alerting.Templates;
using AiDevOps.Brain.Tenancy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// The caller's tenant's message templates, one per channel (Liquid; see the README for the model), and a preview
/// that renders a template against one of the tenant's stored incidents, exactly as the channel would send it.
/// </summary>
public static class AlertTemplatesApi
{
    public static IEndpointRouteBuilder MapAlertTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/alert-config/templates").RequireAuthorization();
        api.MapGet("/{channel}", GetAsync).WithSummary("The channel's template; 404 while the built-in message is used.");
        api.MapPut("/{channel}", PutAsync).WithSummary("Sets the channel's template: {\"template\":…} (and for email \"subject\").");
        api.MapDelete("/{channel}", DeleteAsync).WithSummary("Removes the channel's template: the built-in message is used again.");
        api.MapPost("/{channel}/preview", PreviewAsync).WithSummary("Renders a template (or the stored one) against a stored incident, the newest by default.");
        return app;
    }

    public sealed record TemplateRequest(string? Template, string? Subject);

    public sealed record TemplateView(string Channel, string? Template, string? Subject, DateTimeOffset UpdatedAt)
    {
        public static TemplateView Of(AlertTemplate t) => new(t.Channel, t.Body, t.Subject, t.UpdatedAt);
    }

    /// <param name="Kind">Which notification to render (opened, updated, resolved …); by default what the incident's state says.</param>
    public sealed record PreviewRequest(string? Template, string? Subject, string? IncidentId, string? Kind);

    /// <param name="Text">What the channel would send: for Telegram the HTML after fitting, for email the HTML body.</param>
    /// <param name="Valid">Telegram: whether the template's own output was valid Telegram HTML within 4,096 characters (else it was repaired or cut).</param>
    /// <param name="Length">Telegram: the length of <paramref name="Text"/> after entity parsing, as Telegram counts it.</param>
    public sealed record PreviewView(string Channel, string IncidentId, string Kind, string Text, string? Subject = null,
        bool? Valid = null, int? Length = null, bool? Truncated = null);

    public static async Task<Results<Ok<TemplateView>, NotFound, ValidationProblem>> GetAsync(
        string channel, ClaimsPrincipal user, AlertTemplateStore store, CancellationToken ct)
    {
        if (UnknownChannel(channel) is { } problem)
            return problem;
        return await store.GetAsync(user.Agent().Tenant, channel, ct) is { } template
            ? TypedResults.Ok(TemplateView.Of(template))
            : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<TemplateView>, ValidationProblem>> PutAsync(
        string channel, TemplateRequest request, ClaimsPrincipal user, AlertTemplateStore store, TimeProvider clock, CancellationToken ct)
    {
        if (UnknownChannel(channel) is { } problem)
            return problem;
        var errors = Validate(channel, request.Template, request.Subject);
        if (request.Template is null && request.Subject is null)
            errors["template"] = [channel == "email" ? "Give template (the HTML body), subject, or both." : "template is required."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The template is invalid; nothing was stored.");
        var template = new AlertTemplate(channel, request.Template, request.Subject, clock.GetUtcNow());
        await store.PutAsync(user.Agent().Tenant, template, ct);
        return TypedResults.Ok(TemplateView.Of(template));
    }

    public static async Task<Results<NoContent, NotFound, ValidationProblem>> DeleteAsync(
        string channel, ClaimsPrincipal user, AlertTemplateStore store, CancellationToken ct)
    {
        if (UnknownChannel(channel) is { } problem)
            return problem;
        var tenant = user.Agent().Tenant;
        if (await store.GetAsync(tenant, channel, ct) is null)
            return TypedResults.NotFound();
        await store.DeleteAsync(tenant, channel, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<PreviewView>, NotFound, ValidationProblem>> PreviewAsync(
        string channel, PreviewRequest request, ClaimsPrincipal user, AlertTemplateStore store, IncidentStore incidents, CancellationToken ct)
    {
        if (UnknownChannel(channel) is { } problem)
            return problem;
        var tenant = user.Agent().Tenant;
        var stored = request.Template is null && request.Subject is null ? await store.GetAsync(tenant, channel, ct) : null;
        var body = request.Template ?? stored?.Body;
        var subject = request.Subject ?? stored?.Subject;
        var errors = Validate(channel, body, subject);
        if (body is null && subject is null)
            errors["template"] = ["Give the template to preview; the tenant has none stored for this channel."];
        NotificationKind kind = default;
        if (request.Kind is { } named && !Enum.TryParse(named, ignoreCase: true, out kind))
            errors["kind"] = [$"kind must be one of {string.Join(", ", Enum.GetNames<NotificationKind>().Select(n => n.ToLowerInvariant()))}."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        Incident? incident;
        if (request.IncidentId is { } id)
        {
            if ((incident = await incidents.GetAsync(tenant, id, ct)) is null)
                return TypedResults.NotFound();
        }
        else if (await incidents.ListAsync(tenant, null, 1, ct) is [var newest, ..])
        {
            incident = newest;
        }
        else
        {
            return Problems.Invalid("incidentId", "The tenant has no incident to preview against yet; give incidentId once there is one.");
        }
        if (request.Kind is null)
        {
            kind = incident.State switch
            {
                IncidentState.Resolved => NotificationKind.Resolved,
                IncidentState.Acknowledged => NotificationKind.Acknowledged,
                _ => NotificationKind.Opened,
            };
        }
        var notification = new Notification(kind, incident);

        try
        {
            var renderedSubject = subject is null ? null : await AlertTemplates.RenderSubjectAsync(subject, notification, ct);
            var name = kind.ToString().ToLowerInvariant();
            switch (channel)
            {
                case "telegram":
                    var fitted = await AlertTemplates.RenderTelegramAsync(body!, notification, ct);
                    return TypedResults.Ok(new PreviewView(channel, incident.Id, name, fitted.Html, null, fitted.WasValid && !fitted.IsEmpty, fitted.Length, fitted.Truncated));
                case "slack":
                    return TypedResults.Ok(new PreviewView(channel, incident.Id, name, (await AlertTemplates.RenderAsync(body!, notification, MarkupEncoder.Slack, ct)).Trim()));
                default:
                    var html = body is null ? "" : await AlertTemplates.RenderAsync(body, notification, MarkupEncoder.Html, ct);
                    return TypedResults.Ok(new PreviewView(channel, incident.Id, name, html, renderedSubject));
            }
        }
        catch (TemplateException e)
        {
            return Problems.Invalid("template", "The template failed while rendering (a notifier would send its built-in message instead): " + e.Message);
        }
    }

    private static ValidationProblem? UnknownChannel(string channel) => AlertTemplate.Channels.Contains(channel)
        ? null
        : Problems.Invalid("channel", $"channel must be one of {string.Join(", ", AlertTemplate.Channels.Select(c => $"'{c}'"))}: the channels that send words.");

    private static Dictionary<string, string[]> Validate(string channel, string? template, string? subject)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, source) in new[] { ("template", template), ("subject", subject) })
        {
            if (source is null)
                continue;
            if (string.IsNullOrWhiteSpace(source) || source.Length > AlertTemplate.MaxSourceLength)
                errors[field] = [$"{field}, when given, must be a Liquid template of 1 to {AlertTemplate.MaxSourceLength} characters."];
            else if (!AlertTemplates.TryParse(source, out _, out var error))
                errors[field] = [$"{field} is not a valid Liquid template: {error}"];
        }
        if (subject is not null && channel != "email")
            errors["subject"] = ["Only email templates have a subject."];
        return errors;
    }
}
