using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Apis;

/// <summary>
/// A Prometheus remote_write 1.0 receiver, so an existing Prometheus (or Alloy, or the Collector) can
/// <c>remote_write</c> into the agent. A write is answered 204 only once it is in the durable queue; a bad one gets
/// a 4xx problem, which Prometheus does not retry.
/// </summary>
public static class RemoteWriteReceiverApi
{
    private const int MaxDecompressionRatio = 16;

    public static IEndpointRouteBuilder MapRemoteWriteReceiverApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/write", ReceiveAsync).WithSummary("Prometheus remote_write 1.0 receiver (protobuf + snappy).");
        return app;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, Outbox queue, IOptions<ReceiverOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var limits = options.Value;
        var request = context.Request;
        if (request.ContentType?.StartsWith(RemoteWriteCodec.ContentType, StringComparison.OrdinalIgnoreCase) != true)
            return TypedResults.Problem($"The body must be {RemoteWriteCodec.ContentType} (snappy-compressed).",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (request.ContentLength > limits.MaxBodyBytes)
            return TooLarge(limits);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = limits.MaxBodyBytes;

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits);
        }

        IReadOnlyList<SeriesSamples> series;
        try
        {
            series = RemoteWriteCodec.Decode(body, (int)Math.Min(int.MaxValue, limits.MaxBodyBytes * MaxDecompressionRatio));
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        // Checked here, not at the Brain: a bad series refused now is the sender's to fix; accepted, it would block
        // its whole batch in the queue later.
        var errors = IngestValidator.Validate(new IngestRequest(series), int.MaxValue, clock.GetUtcNow());
        if (series.Count > 0 && errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The write is invalid; nothing was queued.");

        if (series.Count > 0)
            queue.Enqueue(series, "remote_write");
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult TooLarge(ReceiverOptions limits) =>
        TypedResults.Problem($"The body exceeds {limits.MaxBodyBytes} bytes (Agent:Receiver:MaxBodyBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}

public sealed class ReceiverOptions
{
    public const string Section = "Agent:Receiver";

    [System.ComponentModel.DataAnnotations.Range(1024, 512L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;
}
