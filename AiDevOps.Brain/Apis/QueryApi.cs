using System.Globalization;
using System.Security.Claims;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>Read APIs. Every answer is scoped to the tenant of the calling key.</summary>
public static class QueryApi
{
    private const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapGet("/agents", ListAgentsAsync).WithSummary("Agents of the tenant and when each last delivered.");
        api.MapGet("/metrics", ListMetricsAsync).WithSummary("Metric names the tenant has stored.");
        api.MapGet("/series", FindSeriesAsync)
            .WithSummary("Series of a metric; every other query parameter is a label that must equal its value.");
        api.MapGet("/series/{seriesId}/samples", ReadSamplesAsync)
            .WithSummary("Samples of one series between from and to (RFC 3339 or Unix seconds; default: the last hour).");
        api.MapGet("/anomalies", ListAnomaliesAsync).WithSummary("Anomalies, newest first; state = open, resolved or all.");
        return app;
    }

    public sealed record SeriesView(string Id, IReadOnlyDictionary<string, string> Labels);

    public sealed record SamplesView(string SeriesId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SamplePoint> Samples);

    public sealed record AnomalyView(
        string Id, string SeriesId, string Metric, IReadOnlyDictionary<string, string> Labels, string Kind, string Detector,
        double Score, string State, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? Summary, string? SummarySource,
        string? Evidence);

    public static async Task<Ok<IReadOnlyList<AgentStatus>>> ListAgentsAsync(ClaimsPrincipal user, AgentRegistry agents, CancellationToken ct) =>
        TypedResults.Ok(await agents.ListAsync(user.Agent().Tenant, ct));

    public static async Task<Ok<IReadOnlyList<string>>> ListMetricsAsync(ClaimsPrincipal user, ISampleStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.MetricNamesAsync(user.Agent().Tenant, ct));

    public static async Task<Results<Ok<List<SeriesView>>, ValidationProblem>> FindSeriesAsync(
        HttpRequest request, ClaimsPrincipal user, ISampleStore store, CancellationToken ct, string? metric = null, int limit = 1000)
    {
        if (string.IsNullOrEmpty(metric) || !IngestValidator.IsMetricName(metric))
            return Invalid("metric", "Give a metric name, e.g. ?metric=up.");
        if (limit is < 1 or > MaxLimit)
            return Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        var matchers = request.Query
            .Where(q => q.Key is not ("metric" or "limit"))
            .Select(q => LabelMatcher.Equal(q.Key, q.Value.ToString()))
            .ToList();
        var series = await store.FindSeriesAsync(user.Agent().Tenant, metric, matchers, limit, ct);
        return TypedResults.Ok(series.Select(s => new SeriesView(s.Id, s.Labels)).ToList());
    }

    public static async Task<Results<Ok<SamplesView>, ValidationProblem>> ReadSamplesAsync(
        string seriesId, ClaimsPrincipal user, ISampleStore store, TimeProvider clock, CancellationToken ct,
        string? from = null, string? to = null, int limit = MaxLimit)
    {
        var now = clock.GetUtcNow();
        if (!TryParseTime(to, now, out var end))
            return Invalid("to", $"'{to}' is neither an RFC 3339 time nor Unix seconds.");
        if (!TryParseTime(from, end.AddHours(-1), out var start))
            return Invalid("from", $"'{from}' is neither an RFC 3339 time nor Unix seconds.");
        if (start > end)
            return Invalid("from", "from must not be after to.");
        if (limit is < 1 or > MaxLimit)
            return Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        if (seriesId.Length != 32 || !seriesId.All(char.IsAsciiHexDigitLower))
            return Invalid("seriesId", "A series id is 32 lower-case hex characters, as /api/series returns it.");

        var samples = await store.ReadAsync(user.Agent().Tenant, seriesId, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), limit, ct);
        return TypedResults.Ok(new SamplesView(seriesId, start, end, samples));
    }

    public static async Task<Results<Ok<List<AnomalyView>>, ValidationProblem>> ListAnomaliesAsync(
        ClaimsPrincipal user, AnomalyStore anomalies, CancellationToken ct, string state = "all", int limit = 100)
    {
        if (state is not ("open" or "resolved" or "all"))
            return Invalid("state", "state must be open, resolved or all.");
        bool? open = state switch { "open" => true, "resolved" => false, _ => null };
        if (limit is < 1 or > MaxLimit)
            return Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        var found = await anomalies.ListAsync(user.Agent().Tenant, open, limit, ct);
        return TypedResults.Ok(found.Select(ToView).ToList());
    }

    private static AnomalyView ToView(Anomaly a) => new(
        a.Id, a.Series.Id, a.Series.Metric, a.Series.Labels, a.Kind, a.Detector, a.Score,
        a.IsOpen ? "open" : "resolved", a.OpenedAt, a.ResolvedAt, a.Summary, a.SummarySource, a.Evidence);

    private static bool TryParseTime(string? text, DateTimeOffset fallback, out DateTimeOffset time)
    {
        time = fallback;
        if (string.IsNullOrEmpty(text))
            return true;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Clamp(seconds * 1000, 0, 253402300799000));
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
