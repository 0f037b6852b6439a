using System.Security.Claims;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Storage.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// Receivers and routes of the caller's tenant. Receivers: create, read, replace the secret, delete; secrets are
/// write-only: an answer says whether a receiver has one, never what it is. Routes: which receivers get which
/// alerts, by a label selector.
/// </summary>
public static class AlertConfigApi
{
    private const int MaxAddressLength = 256;

    public static IEndpointRouteBuilder MapAlertConfigApi(this IEndpointRouteBuilder app)
    {
        var receivers = app.MapGroup("/api/alert-config/receivers").RequireAuthorization();
        receivers.MapGet("/", ListAsync).WithSummary("Receivers of the tenant, without their secrets.");
        receivers.MapPost("/", CreateAsync).WithSummary("Adds a receiver (or replaces the one with the same channel and address).");
        receivers.MapGet("/{id}", GetAsync).WithSummary("One receiver, without its secret.");
        receivers.MapPut("/{id}", ReplaceAsync).WithSummary("Replaces a receiver's secret; a null secret keeps the stored one.");
        receivers.MapDelete("/{id}", DeleteAsync).WithSummary("Removes a receiver.");

        var routes = app.MapGroup("/api/alert-config/routes").RequireAuthorization();
        routes.MapGet("/", ListRoutesAsync).WithSummary("Routes of the tenant. With none, every receiver gets every alert.");
        routes.MapPost("/", CreateRouteAsync).WithSummary("Adds a route: alerts whose labels match the selector go to its receivers.");
        routes.MapGet("/{id}", GetRouteAsync).WithSummary("One route.");
        routes.MapPut("/{id}", ReplaceRouteAsync).WithSummary("Replaces a route's selector and receivers.");
        routes.MapDelete("/{id}", DeleteRouteAsync).WithSummary("Removes a route.");
        return app;
    }

    /// <summary>
    /// A route as clients send it: a Prometheus selector and receiver ids; optionally its place in the order routes are
    /// tried, whether later routes are tried too (<c>continue</c>), and its incident settings (durations such as 5m).
    /// </summary>
    public sealed record RouteRequest(
        string? Selector, IReadOnlyList<string>? Receivers, bool? Continue = null, int? Position = null,
        IReadOnlyList<string>? GroupBy = null, string? GroupInterval = null, string? RepeatInterval = null, string? Notify = null,
        int? TelegramThreadId = null);

    public static async Task<Ok<IReadOnlyList<AlertRoute>>> ListRoutesAsync(ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListRoutesAsync(user.Agent().Tenant, ct));

    public static async Task<Results<Created<AlertRoute>, ValidationProblem>> CreateRouteAsync(
        RouteRequest request, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if (await ValidateAsync(request, tenant, store, ct) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var position = request.Position ?? (await store.ListRoutesAsync(tenant, ct)).Select(r => r.Position + 1).DefaultIfEmpty(0).Max();
        var route = ToRoute(Guid.NewGuid().ToString("N")[..12], request, position);
        await store.PutRouteAsync(tenant, route, ct);
        return TypedResults.Created($"/api/alert-config/routes/{route.Id}", route);
    }

    public static async Task<Results<Ok<AlertRoute>, NotFound>> GetRouteAsync(string id, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct) =>
        (await store.ListRoutesAsync(user.Agent().Tenant, ct)).FirstOrDefault(r => r.Id == id) is { } route
            ? TypedResults.Ok(route)
            : TypedResults.NotFound();

    public static async Task<Results<Ok<AlertRoute>, NotFound, ValidationProblem>> ReplaceRouteAsync(
        string id, RouteRequest request, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if ((await store.ListRoutesAsync(tenant, ct)).All(r => r.Id != id))
            return TypedResults.NotFound();
        if (await ValidateAsync(request, tenant, store, ct) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var route = ToRoute(id, request, request.Position ?? (await store.ListRoutesAsync(tenant, ct)).First(r => r.Id == id).Position);
        await store.PutRouteAsync(tenant, route, ct);
        return TypedResults.Ok(route);
    }

    public static async Task<Results<NoContent, NotFound>> DeleteRouteAsync(string id, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if ((await store.ListRoutesAsync(tenant, ct)).All(r => r.Id != id))
            return TypedResults.NotFound();
        await store.DeleteRouteAsync(tenant, id, ct);
        return TypedResults.NoContent();
    }

    private static readonly TimeSpan MaxInterval = TimeSpan.FromDays(7);

    private static AlertRoute ToRoute(string id, RouteRequest request, int position)
    {
        var defaults = RouteSettings.Defaults;
        var custom = request.GroupBy is not null || request.GroupInterval is not null || request.RepeatInterval is not null
            || request.Notify is not null || request.TelegramThreadId is not null;
        var settings = custom
            ? new RouteSettings(
                request.GroupBy ?? defaults.GroupBy,
                request.GroupInterval is { } group ? PromQlParser.ParseDuration(group) : defaults.GroupInterval,
                request.RepeatInterval is { } repeat ? PromQlParser.ParseDuration(repeat) : defaults.RepeatInterval,
                request.Notify is { } notify ? Enum.Parse<RouteNotify>(notify, ignoreCase: true) : RouteNotify.Default,
                request.TelegramThreadId)
            : null;
        return new AlertRoute(id, request.Selector!, request.Receivers!, request.Continue ?? false, position, settings);
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(RouteRequest request, string tenant, AlertConfigStore store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new[] { ("groupInterval", request.GroupInterval), ("repeatInterval", request.RepeatInterval) })
        {
            if (value is null)
                continue;
            try
            {
                if (PromQlParser.ParseDuration(value) is var duration && (duration < TimeSpan.FromSeconds(1) || duration > MaxInterval))
                    errors[field] = [$"{field} must be between 1s and 7d."];
            }
            catch (FormatException)
            {
                errors[field] = [$"{field} must be a Prometheus duration such as 5m or 4h, not '{value}'."];
            }
        }
        if (request.Notify is { } notify && !Enum.TryParse<RouteNotify>(notify, ignoreCase: true, out _))
            errors["notify"] = ["notify must be default (page for what pages by its kind), loud (every incident pages) or silent (none does)."];
        if (request.GroupBy is { } groupBy && groupBy.Any(label => !IsLabelName(label)))
            errors["groupBy"] = ["groupBy must list label names such as instance or job (letters, digits and underscores, not starting with a digit)."];
        if (request.TelegramThreadId is <= 0)
            errors["telegramThreadId"] = ["telegramThreadId must be the positive id of a forum topic (message_thread_id)."];
        try
        {
            PromQlParser.ParseSelector(request.Selector ?? "");
        }
        catch (FormatException e)
        {
            errors["selector"] = [$"selector must be a Prometheus label selector such as {{job=\"node\"}}: {e.Message}"];
        }
        if (request.Receivers is not { Count: > 0 })
        {
            errors["receivers"] = ["receivers must name at least one receiver id."];
        }
        else
        {
            var known = (await store.ListReceiversAsync(tenant, ct)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            if (request.Receivers.Where(r => !known.Contains(r)).ToList() is { Count: > 0 } unknown)
                errors["receivers"] = [$"No receiver has the id {string.Join(", ", unknown.Select(u => $"'{u}'"))}."];
        }
        return errors;
    }

    private static bool IsLabelName(string name) =>
        name.Length is > 0 and <= 128 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>What a client sends. <see cref="Secret"/> is optional and is never sent back.</summary>
    public sealed record ReceiverRequest(string? Channel, string? Address, string? Secret);

    public sealed record ReceiverView(string Id, string Channel, string Address, bool HasSecret)
    {
        public static ReceiverView Of(Receiver receiver) => new(receiver.Id, receiver.Channel, receiver.Address, receiver.Secret is not null);
    }

    public static async Task<Ok<List<ReceiverView>>> ListAsync(ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListReceiversAsync(user.Agent().Tenant, ct)).Select(ReceiverView.Of).ToList());

    public static async Task<Results<Created<ReceiverView>, ValidationProblem>> CreateAsync(
        ReceiverRequest request, ClaimsPrincipal user, AlertConfigStore store, IEnumerable<INotifier> notifiers, CancellationToken ct)
    {
        if (Validate(request, notifiers) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var receiver = new Receiver(request.Channel!, request.Address!, request.Secret);
        await store.PutReceiverAsync(user.Agent().Tenant, receiver, ct);
        return TypedResults.Created($"/api/alert-config/receivers/{receiver.Id}", ReceiverView.Of(receiver));
    }

    public static async Task<Results<Ok<ReceiverView>, NotFound>> GetAsync(string id, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct) =>
        await store.FindReceiverAsync(user.Agent().Tenant, id, ct) is { } receiver
            ? TypedResults.Ok(ReceiverView.Of(receiver))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<ReceiverView>, NotFound, ValidationProblem>> ReplaceAsync(
        string id, ReceiverRequest request, ClaimsPrincipal user, AlertConfigStore store, IEnumerable<INotifier> notifiers, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if (await store.FindReceiverAsync(tenant, id, ct) is not { } stored)
            return TypedResults.NotFound();
        if (Validate(request, notifiers) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (request.Channel != stored.Channel || request.Address != stored.Address)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["address"] = ["Channel and address make a receiver's id; to change them, create a new receiver and delete this one."],
            });
        var replaced = stored with { Secret = request.Secret ?? stored.Secret };
        await store.PutReceiverAsync(tenant, replaced, ct);
        return TypedResults.Ok(ReceiverView.Of(replaced));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteAsync(string id, ClaimsPrincipal user, AlertConfigStore store, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        if (await store.FindReceiverAsync(tenant, id, ct) is not { } receiver)
            return TypedResults.NotFound();
        await store.DeleteReceiverAsync(tenant, receiver, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Every problem of the request at once, by field: the channel's own rules come from its notifier.</summary>
    private static Dictionary<string, string[]> Validate(ReceiverRequest request, IEnumerable<INotifier> notifiers)
    {
        var errors = new Dictionary<string, string[]>();
        var notifier = notifiers.FirstOrDefault(n => n.Channel == request.Channel);
        if (notifier is null)
            errors["channel"] = [$"channel must be one of {string.Join(", ", notifiers.Select(n => $"'{n.Channel}'"))}, the channels this Brain delivers to."];
        if (string.IsNullOrWhiteSpace(request.Address) || request.Address.Length > MaxAddressLength)
            errors["address"] = [$"address is required, at most {MaxAddressLength} characters."];
        foreach (var (field, messages) in notifier?.Validate(request.Address ?? "", request.Secret) ?? new Dictionary<string, string[]>())
            errors.TryAdd(field, messages);
        return errors;
    }
}
