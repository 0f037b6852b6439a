using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.Retry;

namespace AiDevOps.Contracts;

/// <summary>
/// The platform's one way of trying again, used by every component that retries (the Agent's delivery, the Brain's
/// storage writes, table setup and alert delivery): exponential backoff from <c>first</c> up to <c>max</c> with
/// Polly's decorrelated jitter, so many retriers spread out instead of hammering together, and a delay the other side
/// asked for (Retry-After) taken as it is, up to <c>max</c>.
/// </summary>
public static class Backoff
{
    /// <summary>The delay an HTTP answer asked for (<c>Retry-After</c>, as seconds or a date); null when it asked none.</summary>
    public static TimeSpan? RequestedBy(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    /// <summary>Retries while <paramref name="retryWhen"/> says so, at most <paramref name="maxRetries"/> times (by default until cancelled).</summary>
    // T as Polly's AddRetry declares it, so a trimmed or Native AOT Agent keeps what Polly may reflect on.
    public static ResiliencePipeline<T> Retry<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T>(
        Func<Outcome<T>, bool> retryWhen,
        TimeSpan first,
        TimeSpan max,
        int maxRetries = int.MaxValue,
        Func<Outcome<T>, TimeSpan?>? requestedDelay = null,
        Func<OnRetryArguments<T>, ValueTask>? onRetry = null,
        TimeProvider? time = null)
    {
        if (maxRetries == 0)
            return ResiliencePipeline<T>.Empty; // Polly's retry takes at least one retry.
        var builder = new ResiliencePipelineBuilder<T>();
        if (time is not null)
            builder.TimeProvider = time;
        return builder.AddRetry(new RetryStrategyOptions<T>
        {
            ShouldHandle = args => ValueTask.FromResult(retryWhen(args.Outcome)),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = first,
            MaxDelay = max,
            MaxRetryAttempts = maxRetries,
            DelayGenerator = requestedDelay is null
                ? null
                : args => ValueTask.FromResult(requestedDelay(args.Outcome) is { } asked ? (TimeSpan?)(asked < max ? asked : max) : null),
            OnRetry = onRetry,
        }).Build();
    }
}
