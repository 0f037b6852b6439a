using System.Text.Json;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Apis;

/// <summary>
/// Where samples come in: the JSON form for simple clients, and Prometheus remote_write 1.0 for the Agent and any
/// remote_write sender. Both answer only once the samples are durable, and both honour a batch id header so a
/// retried delivery is stored once.
/// </summary>
public static class IngestApi
{
    private const string LimitOption = "Ingest:MaxBodyBytes";

    public sealed record IngestServices(
        HttpContext Context, IngestService Ingest, TableInitializer Tables, IOptions<IngestOptions> Options, TimeProvider Clock);

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ingest", IngestJsonAsync)
            .RequireAuthorization()
            .WithSummary("Stores samples sent as JSON; answers once they are durable.");
        app.MapPost("/api/v1/write", RemoteWriteAsync)
            .RequireAuthorization()
            .WithSummary("Prometheus remote_write 1.0 receiver (protobuf + snappy); answers once the samples are durable.");
        return app;
    }

    public static async Task<Results<Ok<IngestResponse>, ValidationProblem, ProblemHttpResult>> IngestJsonAsync(
        [AsParameters] IngestServices services, CancellationToken ct)
    {
        var context = services.Context;
        if ((NotReady(services) ?? IngestHttp.Admit(context, context.Request.HasJsonContentType(), "application/json", MaxBodyBytes(services), LimitOption))
            is { } refused)
            return refused;
        IngestRequest? request;
        try
        {
            request = await services.Context.Request.ReadFromJsonAsync<IngestRequest>(ct);
        }
        catch (JsonException e)
        {
            // Some reader errors (a duplicate key) leave the path out of the message.
            var at = e.Path is { } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : "";
            return TypedResults.Problem($"The body is not valid ingest JSON: {e.Message}{at}", statusCode: StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return IngestHttp.TooLarge(MaxBodyBytes(services), LimitOption);
        }
        return await AcceptAsync(services, request, ct);
    }

    public static async Task<Results<Ok<IngestResponse>, ValidationProblem, ProblemHttpResult>> RemoteWriteAsync(
        [AsParameters] IngestServices services, CancellationToken ct)
    {
        if (NotReady(services) is { } notReady)
            return notReady;
        var body = await IngestHttp.ReadRemoteWriteAsync(services.Context, MaxBodyBytes(services), LimitOption, ct);
        return body.Problem ?? await AcceptAsync(services, new IngestRequest(body.Series), ct);
    }

    private static ProblemHttpResult? NotReady(IngestServices services)
    {
        if (services.Tables.Ready.IsCompletedSuccessfully)
            return null;
        services.Context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem("Storage is not ready yet; retry shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<Ok<IngestResponse>, ValidationProblem, ProblemHttpResult>> AcceptAsync(
        IngestServices services, IngestRequest? request, CancellationToken ct)
    {
        var errors = IngestValidator.Validate(request, services.Options.Value.MaxSamplesPerRequest, services.Clock.GetUtcNow());
        string? batchId = services.Context.Request.Headers[RemoteWriteCodec.BatchIdHeader];
        if (batchId is not null && !BatchLedger.IsValidId(batchId))
            errors[RemoteWriteCodec.BatchIdHeader] = ["A batch id is 1-128 characters of letters, digits, '-', '_', '.' or ':'."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The ingest body is invalid; nothing was stored.");

        var headers = services.Context.Request.Headers;
        var report = new AgentReport(AgentHeaders.Version(headers.UserAgent), AgentHeaders.Queued(headers[AgentHeaders.QueuedSamples]));
        return TypedResults.Ok(await services.Ingest.IngestAsync(services.Context.User.Agent(), request!, batchId, report, ct));
    }

    private static long MaxBodyBytes(IngestServices services) => services.Options.Value.MaxBodyBytes;
}
