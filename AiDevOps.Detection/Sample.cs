namespace AiDevOps.Detection;

/// <summary>One observation of a series; its timestamp is the only clock the engine knows.</summary>
public readonly record struct Sample(DateTimeOffset Timestamp, double Value)
{
    public bool IsFinite => double.IsFinite(Value);
}
