using System.Text.Json;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Apis;

public static class IngestApi
{
    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ingest", IngestAsync)
            .RequireAuthorization()
            .WithName("Ingest")
            .WithSummary("Stores samples from an agent; answers once they are durable.");
        return app;
    }

    public static async Task<Results<Ok<IngestResponse>, ValidationProblem, ProblemHttpResult>> IngestAsync(
        HttpContext context,
        IngestService ingest,
        TableInitializer tables,
        IOptions<IngestOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var limits = options.Value;
        if (!tables.Ready.IsCompletedSuccessfully)
        {
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("Storage is not ready yet; retry shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (!context.Request.HasJsonContentType())
            return TypedResults.Problem("The body must be JSON (Content-Type: application/json).",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (context.Request.ContentLength > limits.MaxBodyBytes)
            return TooLarge(limits);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = limits.MaxBodyBytes;

        IngestRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<IngestRequest>(ct);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem($"The body is not valid ingest JSON: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits);
        }

        var errors = IngestValidator.Validate(request, limits.MaxSamplesPerRequest, clock.GetUtcNow());
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The ingest body is invalid; nothing was stored.");

        return TypedResults.Ok(await ingest.IngestAsync(context.User.Agent(), request!, ct));
    }

    private static ProblemHttpResult TooLarge(IngestOptions limits) =>
        TypedResults.Problem($"The body exceeds {limits.MaxBodyBytes} bytes (Ingest:MaxBodyBytes). Send smaller batches.",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
