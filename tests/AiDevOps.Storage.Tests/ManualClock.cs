namespace AiDevOps.Storage.Tests;

/// <summary>A clock the test moves by hand, so folds and expiry happen on cue.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
