using System.Collections.Concurrent;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiDevOps.Insights.Tests;

/// <summary>
/// The Brain's read API as the explanation tools see it, on a loopback port: fixed JSON answers, and every request
/// recorded with its method, path and query, and Authorization header.
/// </summary>
public sealed class FakeBrainApi : IAsyncDisposable
{
    public static readonly DateTimeOffset PointAt = new(2026, 11, 24, 9, 50, 0, TimeSpan.Zero);

    /// <summary>node_load1 of db-1: its last point is 7.25 at 09:50 UTC, a number the incident's facts do not hold.</summary>
    public static readonly string QueryRange = $$$"""
        {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"node_load1","instance":"db-1:9100","job":"node"},
        "values":[[{{{PointAt.AddMinutes(-1).ToUnixTimeSeconds()}}},"6.5"],[{{{PointAt.ToUnixTimeSeconds()}}},"7.25"]]}]}}
        """;

    public const string Anomalies = """
        [{"labels":{"__name__":"node_disk_io_time_seconds_total","instance":"db-1:9100"},"kind":"unusual_behaviour","openedAt":"2026-11-24T10:11:00Z","resolvedAt":null,"evidence":"ewma: expected 0.2, got 0.9 (score 4.00)"},
         {"labels":{"__name__":"up","instance":"web-9:9100"},"kind":"target_down","openedAt":"2026-11-24T10:12:00Z","resolvedAt":null,"evidence":null}]
        """;

    public const string Incidents = """
        [{"id":"inc-0","title":"node_cpu_busy_ratio on db-1:9100","group":{"instance":"db-1:9100"},"openedAt":"2026-11-20T03:00:00Z","resolvedAt":"2026-11-20T03:40:00Z","members":[{"metric":"node_cpu_busy_ratio"}]},
         {"id":"inc-x","title":"up on web-9:9100","group":{"instance":"web-9:9100"},"openedAt":"2026-11-21T03:00:00Z","resolvedAt":"2026-11-21T03:05:00Z","members":[]}]
        """;

    private readonly ConcurrentQueue<(string Method, string PathAndQuery, string Authorization)> _requests = new();
    private LoopbackApp _app = null!;

    public Uri BaseUrl => _app.Address;

    public IReadOnlyList<(string Method, string PathAndQuery, string Authorization)> Requests => [.. _requests];

    public static async Task<FakeBrainApi> StartAsync()
    {
        var brain = new FakeBrainApi();
        brain._app = await LoopbackApp.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                brain._requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.ToString()));
                await next(context);
            });
            app.MapGet("/api/v1/query_range", () => Results.Content(QueryRange, "application/json"));
            app.MapGet("/api/anomalies", () => Results.Content(Anomalies, "application/json"));
            app.MapGet("/api/incidents", () => Results.Content(Incidents, "application/json"));
        });
        return brain;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
