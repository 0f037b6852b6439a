using System.Globalization;
using System.Security.Claims;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Detection;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using AiDevOps.Storage.Query;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

/// <summary>Read APIs. Every answer is scoped to the tenant of the calling key.</summary>
public static class QueryApi
{
    private const int MaxLimit = 10_000;
    private static readonly TimeSpan MaxHorizon = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapGet("/metrics", ListMetricsAsync).WithSummary("Metric names the tenant has stored.");
        api.MapGet("/series", FindSeriesAsync)
            .WithSummary("Series of a metric; every other query parameter is a label that must equal its value.");
        api.MapGet("/series/{seriesId}/samples", ReadSamplesAsync)
            .WithSummary("Samples of one series between from and to (RFC 3339 or Unix seconds; default: the last hour).");
        api.MapGet("/series/{seriesId}/forecast", Forecast)
            .WithSummary("Where a series is heading: its trend one horizon (e.g. 1h, default 1h) after its last sample, with a 95 % band, and when it reaches its limit.");
        api.MapGet("/anomalies", ListAnomaliesAsync).WithSummary("Anomalies, newest first; state = open, resolved or all.");
        return app;
    }

    public sealed record SeriesView(string Id, IReadOnlyDictionary<string, string> Labels);

    public sealed record SamplesView(string SeriesId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<SamplePoint> Samples);

    /// <summary>Times are RFC 3339; <c>Exhaustion</c> is null unless the metric family has a limit and the trend heads for it.</summary>
    public sealed record ForecastView(
        string SeriesId, DateTimeOffset LastSample, DateTimeOffset At, double Expected, double Low, double High, ExhaustionView? Exhaustion);

    public sealed record ExhaustionView(double Limit, double SlopePerHour, DateTimeOffset Expected, DateTimeOffset Earliest, DateTimeOffset Latest);

    public sealed record AnomalyView(
        string Id, string SeriesId, string Metric, IReadOnlyDictionary<string, string> Labels, string Kind, string Detector,
        double Score, string State, DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt, string? Summary, string? SummarySource,
        string? Evidence);

    public static async Task<Ok<IReadOnlyList<string>>> ListMetricsAsync(ClaimsPrincipal user, ISampleStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.MetricNamesAsync(user.Agent().Tenant, ct));

    public static async Task<Results<Ok<List<SeriesView>>, ValidationProblem>> FindSeriesAsync(
        HttpRequest request, ClaimsPrincipal user, ISampleStore store, CancellationToken ct, string? metric = null, int limit = 1000)
    {
        if (string.IsNullOrEmpty(metric) || !IngestValidator.IsMetricName(metric))
            return Problems.Invalid("metric", "Give a metric name, e.g. ?metric=up.");
        if (limit is < 1 or > MaxLimit)
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
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
            return Problems.Invalid("to", $"'{to}' is neither an RFC 3339 time nor Unix seconds.");
        if (!TryParseTime(from, end.AddHours(-1), out var start))
            return Problems.Invalid("from", $"'{from}' is neither an RFC 3339 time nor Unix seconds.");
        if (start > end)
            return Problems.Invalid("from", "from must not be after to.");
        if (limit is < 1 or > MaxLimit)
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        if (!IsSeriesId(seriesId))
            return InvalidSeriesId();

        var samples = await store.ReadAsync(user.Agent().Tenant, seriesId, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), limit, ct);
        return TypedResults.Ok(new SamplesView(seriesId, start, end, samples));
    }

    public static async Task<Results<Ok<ForecastView>, ValidationProblem, ProblemHttpResult>> Forecast(
        string seriesId, ClaimsPrincipal user, IGrainFactory grains, AgentDirectory directory, string horizon = "1h")
    {
        if (!IsSeriesId(seriesId))
            return InvalidSeriesId();
        TimeSpan ahead;
        try
        {
            ahead = PromQlParser.ParseDuration(horizon);
        }
        catch (Exception error) when (error is FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            return Problems.Invalid("horizon", $"'{horizon}' is not a duration such as 30m, 4h or 7d.");
        }
        if (ahead <= TimeSpan.Zero || ahead > MaxHorizon)
            return Problems.Invalid("horizon", "horizon must be more than 0 and at most 30d.");

        // The series belongs to one of the tenant's agents, whose detection watches it; the others answer null.
        var tenant = user.Agent().Tenant;
        var outlooks = await Task.WhenAll(directory.Agents.Where(a => a.Tenant == tenant)
            .Select(a => grains.GetGrain<IAgentDetectionGrain>(DetectionKeys.Of(a)).OutlookAsync(seriesId, ahead)));
        if (outlooks.FirstOrDefault(o => o is not null) is not { } outlook)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No forecast",
                detail: "The detection engine does not watch this series: it is unknown, has no sample yet, or is up, ALERTS or scrape_duration_seconds.");
        if (double.IsNaN(outlook.Forecast.Expected))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not enough samples yet",
                detail: "The trend needs more samples of this series before it can forecast.");

        var last = outlook.LastSample;
        var exhaustion = outlook.Exhaustion is { } e
            ? new ExhaustionView(e.Limit, e.SlopePerHour, At(last, e.Expected), At(last, e.Earliest), At(last, e.Latest))
            : null;
        return TypedResults.Ok(new ForecastView(seriesId, last, last + ahead, outlook.Forecast.Expected, outlook.Forecast.Low, outlook.Forecast.High, exhaustion));
    }

    /// <summary>A time span from the last sample, saturating: "never" reads as the end of time, not an overflow.</summary>
    private static DateTimeOffset At(DateTimeOffset from, TimeSpan after) =>
        after >= DateTimeOffset.MaxValue - from ? DateTimeOffset.MaxValue : from + after;

    public static async Task<Results<Ok<List<AnomalyView>>, ValidationProblem>> ListAnomaliesAsync(
        ClaimsPrincipal user, AnomalyStore anomalies, CancellationToken ct, string state = "all", int limit = 100)
    {
        if (state is not ("open" or "resolved" or "all"))
            return Problems.Invalid("state", "state must be open, resolved or all.");
        bool? open = state switch { "open" => true, "resolved" => false, _ => null };
        if (limit is < 1 or > MaxLimit)
            return Problems.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        var found = await anomalies.ListAsync(user.Agent().Tenant, open, limit, ct);
        return TypedResults.Ok(found.Select(ToView).ToList());
    }

    private static AnomalyView ToView(Anomaly a) => new(
        a.Id, a.Series.Id, a.Series.Metric, a.Series.Labels, a.Kind, a.Detector, a.Score,
        a.IsOpen ? "open" : "resolved", a.OpenedAt, a.ResolvedAt, a.Summary, a.SummarySource, a.Evidence);

    private static bool TryParseTime(string? text, DateTimeOffset fallback, out DateTimeOffset time)
    {
        var parsed = string.IsNullOrEmpty(text) ? fallback : PromQlParser.ParseTime(text);
        time = parsed ?? fallback;
        return parsed is not null;
    }

    private static bool IsSeriesId(string seriesId) => seriesId.Length == 32 && seriesId.All(char.IsAsciiHexDigitLower);

    private static ValidationProblem InvalidSeriesId() =>
        Problems.Invalid("seriesId", "A series id is 32 lower-case hex characters, as /api/series returns it.");
}
