using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
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
    public static IEndpointRouteBuilder MapRemoteWriteReceiverApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/write", ReceiveAsync).WithSummary("Prometheus remote_write 1.0 receiver (protobuf + snappy).");
        return app;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, Outbox outbox, IOptions<ReceiverOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var body = await IngestHttp.ReadRemoteWriteAsync(context, options.Value.MaxBodyBytes, "Agent:Receiver:MaxBodyBytes", ct);
        if (body.Problem is { } problem)
            return problem;
        // Checked here, not at the Brain: a bad series refused now is the sender's to fix; accepted, it would block
        // its whole batch in the queue later.
        if (body.Series.Count == 0)
            return TypedResults.NoContent();
        var errors = IngestValidator.Validate(new IngestRequest(body.Series), int.MaxValue, clock.GetUtcNow());
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, title: "The write is invalid; nothing was queued.");
        outbox.Enqueue(body.Series, "remote_write");
        return TypedResults.NoContent();
    }
}

public sealed class ReceiverOptions
{
    public const string Section = "Agent:Receiver";

    [System.ComponentModel.DataAnnotations.Range(1024, 512L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;
}
