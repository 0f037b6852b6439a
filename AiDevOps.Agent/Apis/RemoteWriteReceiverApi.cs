using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Apis;

/// <summary>
/// A Prometheus remote_write 1.0 receiver, so an existing Prometheus (or Alloy, or the Collector) can
/// <c>remote_write</c> into the agent. Every write must carry the receiver's key, as a bearer token or as the password
/// of basic auth (both of which Prometheus's <c>remote_write</c> can send): the Agent forwards what it takes into its
/// tenant with its own key, so an open receiver would be an open door into that tenant. A write is answered 204
/// only once it is in the durable queue; a bad one gets a 4xx problem, which Prometheus does not retry.
/// </summary>
public static class RemoteWriteReceiverApi
{
    public static IEndpointRouteBuilder MapRemoteWriteReceiverApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/write", ReceiveAsync).WithSummary("Prometheus remote_write 1.0 receiver (protobuf + snappy).");
        return app;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, Outbox outbox, ReceiverGate gate, IOptions<ReceiverOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (ReceiverKey.Refusal(context.Request.Headers.Authorization, options.Value.KeySha256) is { } refusal)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"aidevops-agent\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A receiver key is required.", detail: refusal);
        }
        using var slot = await gate.EnterAsync(ct);
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

public sealed class ReceiverOptions : System.ComponentModel.DataAnnotations.IValidatableObject
{
    public const string Section = "Agent:Receiver";

    /// <summary>
    /// The SHA-256 (hex) of the key remote_write senders present; the Agent never holds the plain key. Empty: the
    /// receiver takes no writes at all.
    /// </summary>
    public string? KeySha256 { get; set; }

    [System.ComponentModel.DataAnnotations.Range(1024, 512L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Writes read and decoded at once; the rest wait (see <see cref="ReceiverGate"/>).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 256)]
    public int MaxConcurrentWrites { get; set; } = 4;

    public IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate(System.ComponentModel.DataAnnotations.ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(KeySha256) && !ApiKeyHash.IsValidHex(KeySha256))
            yield return new($"{Section}:KeySha256 must be 64 hexadecimal characters (the SHA-256 of the key senders use).", [nameof(KeySha256)]);
    }
}
