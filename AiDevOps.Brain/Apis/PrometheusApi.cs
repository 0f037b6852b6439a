using System.Globalization;
using System.Security.Claims;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using AiDevOps.Storage.Query;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// The read side of the Prometheus HTTP API, so Grafana (or promtool) can use the Brain as a Prometheus data source
/// with the agent key as bearer token. Answers selectors, <c>rate</c> and number arithmetic (Grafana's data source
/// test asks <c>1+1</c>); errors use Prometheus's error body rather than problem details, because that is what its
/// clients parse.
/// </summary>
public static class PrometheusApi
{
    /// <summary>How far back an instant value may lie, as Prometheus's default lookback delta.</summary>
    private static readonly TimeSpan Lookback = TimeSpan.FromMinutes(5);

    /// <summary>Prometheus's own cap on points per series in a range query.</summary>
    private const int MaxPoints = 11_000;

    private const int MaxSeries = 10_000;

    /// <summary>Prometheus's stale marker: a NaN with this payload says the series disappeared, it is no value.</summary>
    private const long StaleNaN = 0x7ff0000000000002;

    public static IEndpointRouteBuilder MapPrometheusApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        // Prometheus clients POST form-encoded parameters first and fall back to GET.
        string[] methods = [HttpMethods.Get, HttpMethods.Post];
        api.MapMethods("/query_range", methods, QueryRangeAsync).WithSummary("PromQL range query (selectors, rate, number arithmetic).").DisableAntiforgery();
        api.MapMethods("/query", methods, QueryAsync).WithSummary("PromQL instant query (selectors, rate, number arithmetic).").DisableAntiforgery();
        api.MapMethods("/series", methods, SeriesAsync).WithSummary("Series matching match[] selectors.").DisableAntiforgery();
        api.MapMethods("/labels", methods, LabelNamesAsync).WithSummary("Label names of the tenant's series.").DisableAntiforgery();
        api.MapGet("/label/{name}/values", LabelValuesAsync).WithSummary("Values of one label across the tenant's series.");
        return app;
    }

    public sealed record PromResponse<T>(T Data)
    {
        public string Status => "success";
    }

    public sealed record PromError(string Error)
    {
        public string Status => "error";
        public string ErrorType => "bad_data";
    }

    /// <summary>A result: a list of <see cref="SeriesResult"/> for a matrix or vector, one point for a scalar.</summary>
    public sealed record QueryData(string ResultType, object Result);

    /// <summary>One series of a result: <c>values</c> for a matrix, <c>value</c> for a vector; the other is left out.</summary>
    public sealed record SeriesResult(
        IReadOnlyDictionary<string, string> Metric,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<object[]>? Values,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] object[]? Value);

    public sealed record Dependencies(ISampleStore Store, TimeProvider Clock);

    public static async Task<Results<Ok<PromResponse<QueryData>>, BadRequest<PromError>>> QueryRangeAsync(
        HttpRequest request, ClaimsPrincipal user, [AsParameters] Dependencies services, CancellationToken ct)
    {
        var parameters = await ParametersAsync(request, ct);
        try
        {
            var expression = Required(parameters, "query");
            var start = ParseTime(Required(parameters, "start"), "start");
            var end = ParseTime(Required(parameters, "end"), "end");
            var step = (long)PromQlParser.ParseDuration(Required(parameters, "step")).TotalMilliseconds;
            if (end < start)
                throw new FormatException("end timestamp must not be before start time");
            if (step <= 0)
                throw new FormatException("zero or negative query resolution step widths are not accepted");
            if ((end - start) / step + 1 > MaxPoints)
                throw new FormatException($"exceeded maximum resolution of {MaxPoints} points per timeseries; try a larger step");
            var steps = Enumerable.Range(0, (int)((end - start) / step) + 1).Select(i => start + i * step).ToList();
            if (PromQlParser.TryParseScalar(expression, out var scalar))
                return TypedResults.Ok(new PromResponse<QueryData>(new QueryData("matrix",
                    new List<SeriesResult> { new(new Dictionary<string, string>(), steps.Select(t => Point((t, scalar))).ToList(), null) })));
            var result = await EvaluateAsync(user.Agent().Tenant, PromQlParser.Parse(expression), steps, services.Store, ct);
            return TypedResults.Ok(new PromResponse<QueryData>(new QueryData("matrix",
                result.Select(r => new SeriesResult(r.Labels, r.Points.Select(Point).ToList(), null)).ToList())));
        }
        catch (FormatException e)
        {
            return TypedResults.BadRequest(new PromError(e.Message));
        }
    }

    public static async Task<Results<Ok<PromResponse<QueryData>>, BadRequest<PromError>>> QueryAsync(
        HttpRequest request, ClaimsPrincipal user, [AsParameters] Dependencies services, CancellationToken ct)
    {
        var parameters = await ParametersAsync(request, ct);
        try
        {
            var expression = Required(parameters, "query");
            var time = parameters.TryGetValue("time", out var t) && !StringValues.IsNullOrEmpty(t)
                ? ParseTime(t.ToString(), "time")
                : services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (PromQlParser.TryParseScalar(expression, out var scalar))
                return TypedResults.Ok(new PromResponse<QueryData>(new QueryData("scalar", Point((time, scalar)))));
            var result = await EvaluateAsync(user.Agent().Tenant, PromQlParser.Parse(expression), [time], services.Store, ct);
            return TypedResults.Ok(new PromResponse<QueryData>(new QueryData("vector",
                result.Select(r => new SeriesResult(r.Labels, null, Point(r.Points[0]))).ToList())));
        }
        catch (FormatException e)
        {
            return TypedResults.BadRequest(new PromError(e.Message));
        }
    }

    public static async Task<Results<Ok<PromResponse<List<IReadOnlyDictionary<string, string>>>>, BadRequest<PromError>>> SeriesAsync(
        HttpRequest request, ClaimsPrincipal user, ISampleStore store, CancellationToken ct)
    {
        var parameters = await ParametersAsync(request, ct);
        try
        {
            if (!parameters.TryGetValue("match[]", out var selectors) || selectors.Count == 0)
                throw new FormatException("no match[] parameter provided");
            var found = new Dictionary<string, IReadOnlyDictionary<string, string>>();
            foreach (var selector in selectors)
            {
                foreach (var series in await FindAsync(user.Agent().Tenant, PromQlParser.ParseSelector(selector ?? ""), store, ct))
                    found.TryAdd(series.Id, series.Labels);
            }
            return TypedResults.Ok(new PromResponse<List<IReadOnlyDictionary<string, string>>>([.. found.Values]));
        }
        catch (FormatException e)
        {
            return TypedResults.BadRequest(new PromError(e.Message));
        }
    }

    public static async Task<Ok<PromResponse<List<string>>>> LabelNamesAsync(ClaimsPrincipal user, ISampleStore store, CancellationToken ct)
    {
        var series = await AllSeriesAsync(user.Agent().Tenant, store, ct);
        return TypedResults.Ok(new PromResponse<List<string>>([.. series.SelectMany(s => s.Labels.Keys).Distinct().Order(StringComparer.Ordinal)]));
    }

    public static async Task<Ok<PromResponse<List<string>>>> LabelValuesAsync(string name, ClaimsPrincipal user, ISampleStore store, CancellationToken ct)
    {
        var tenant = user.Agent().Tenant;
        var values = name == WellKnownLabels.MetricName
            ? await store.MetricNamesAsync(tenant, ct)
            : (await AllSeriesAsync(tenant, store, ct)).Select(s => s.Labels.GetValueOrDefault(name)).OfType<string>().ToList();
        return TypedResults.Ok(new PromResponse<List<string>>([.. values.Distinct().Order(StringComparer.Ordinal)]));
    }

    private sealed record EvaluatedSeries(IReadOnlyDictionary<string, string> Labels, List<(long Time, double Value)> Points);

    /// <summary>The query's value at each step: the latest sample within the lookback, or the rate over the window.</summary>
    private static async Task<List<EvaluatedSeries>> EvaluateAsync(
        string tenant, SelectorQuery query, List<long> steps, ISampleStore store, CancellationToken ct)
    {
        var reach = (long)(query.RateWindow ?? Lookback).TotalMilliseconds;
        var results = new List<EvaluatedSeries>();
        var found = await FindAsync(tenant, query.Matchers, store, ct);
        var read = await store.ReadManyAsync(tenant, found.Select(s => s.Id).ToList(), steps[0] - reach + 1, steps[^1], ct);
        foreach (var series in found)
        {
            var samples = read[series.Id].Where(s => BitConverter.DoubleToInt64Bits(s.Value) != StaleNaN).ToList();
            var points = new List<(long, double)>();
            var first = 0;
            var last = 0;
            foreach (var step in steps)
            {
                // Samples in (step - reach, step]: both ends only move forward, so one pass serves every step.
                while (first < samples.Count && samples[first].Timestamp <= step - reach)
                    first++;
                while (last < samples.Count && samples[last].Timestamp <= step)
                    last++;
                if (query.RateWindow is { } window)
                {
                    if (last - first >= 2)
                        points.Add((step, ExtrapolatedRate(samples, first, last, step, window)));
                }
                else if (last > first)
                    points.Add((step, samples[last - 1].Value));
            }
            if (points.Count > 0)
            {
                var labels = query.RateWindow is null
                    ? series.Labels
                    : series.Labels.Where(l => l.Key != WellKnownLabels.MetricName).ToDictionary(); // as Prometheus: a rate is no longer the metric
                results.Add(new EvaluatedSeries(labels, points));
            }
        }
        return results;
    }

    /// <summary>Prometheus's <c>rate</c>: the counter's increase (resets count from zero), extrapolated to the window's edges.</summary>
    private static double ExtrapolatedRate(List<SamplePoint> samples, int first, int last, long step, TimeSpan window)
    {
        var increase = 0.0;
        for (var i = first + 1; i < last; i++)
            increase += samples[i].Value >= samples[i - 1].Value ? samples[i].Value - samples[i - 1].Value : samples[i].Value;
        var rangeStart = (step - window.TotalMilliseconds) / 1000;
        var firstTime = samples[first].Timestamp / 1000.0;
        var lastTime = samples[last - 1].Timestamp / 1000.0;
        var sampled = lastTime - firstTime;
        var averageGap = sampled / (last - first - 1);
        var toStart = firstTime - rangeStart;
        var toEnd = step / 1000.0 - lastTime;
        if (increase > 0 && samples[first].Value >= 0)
            toStart = Math.Min(toStart, sampled * (samples[first].Value / increase)); // a counter does not go below zero
        var threshold = averageGap * 1.1;
        var extrapolated = sampled + (toStart < threshold ? toStart : averageGap / 2) + (toEnd < threshold ? toEnd : averageGap / 2);
        return increase * (extrapolated / sampled) / window.TotalSeconds;
    }

    private static async Task<List<Series>> FindAsync(string tenant, IReadOnlyList<LabelMatcher> matchers, ISampleStore store, CancellationToken ct)
    {
        var byName = matchers.Where(m => m.Name == WellKnownLabels.MetricName).ToList();
        var others = matchers.Where(m => m.Name != WellKnownLabels.MetricName).ToList();
        var metrics = byName.FirstOrDefault(m => m.Operator == MatchOperator.Equal) is { } exact
            ? [exact.Value]
            : await store.MetricNamesAsync(tenant, ct);
        var found = new List<Series>();
        foreach (var metric in metrics.Where(name => byName.All(m => m.Matches(new Dictionary<string, string> { [WellKnownLabels.MetricName] = name }))))
            found.AddRange(await store.FindSeriesAsync(tenant, metric, others, MaxSeries - found.Count, ct));
        return found;
    }

    private static async Task<List<Series>> AllSeriesAsync(string tenant, ISampleStore store, CancellationToken ct)
    {
        var all = new List<Series>();
        foreach (var metric in await store.MetricNamesAsync(tenant, ct))
            all.AddRange(await store.FindSeriesAsync(tenant, metric, [], MaxSeries, ct));
        return all;
    }

    private static object[] Point((long Time, double Value) point) => [point.Time / 1000.0, FormatValue(point.Value)];

    /// <summary>Values are strings in Prometheus's JSON, spelled as Go spells them.</summary>
    private static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task<Dictionary<string, StringValues>> ParametersAsync(HttpRequest request, CancellationToken ct)
    {
        var parameters = request.Query.ToDictionary(q => q.Key, q => q.Value);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(ct))
                parameters[key] = parameters.TryGetValue(key, out var existing) ? StringValues.Concat(existing, value) : value;
        }
        return parameters;
    }

    private static string Required(Dictionary<string, StringValues> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value)
            ? value.ToString()
            : throw new FormatException($"missing parameter '{name}'");

    /// <summary>Unix seconds (fractions allowed) or RFC 3339, to Unix milliseconds.</summary>
    private static long ParseTime(string text, string name) =>
        PromQlParser.ParseTime(text)?.ToUnixTimeMilliseconds()
            ?? throw new FormatException($"invalid parameter '{name}': cannot parse \"{text}\" to a valid timestamp");
}
