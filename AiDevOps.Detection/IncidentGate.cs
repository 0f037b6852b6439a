using AiDevOps.Detection.Snapshots;

namespace AiDevOps.Detection;

internal enum GateChange
{
    None,
    Opened,
    Closed,
}

/// <summary>
/// Hysteresis between a score and a decision: opens after <see cref="DetectorOptions.MinOpenSamples"/> samples at
/// or above the open score (at once from the decisive score), closes after
/// <see cref="DetectorOptions.MinCloseSamples"/> below the lower close score.
/// </summary>
internal sealed class IncidentGate(DetectorOptions options)
{
    private int _streak;

    public bool IsOpen { get; private set; }

    public GateChange Step(double score)
    {
        var pushing = IsOpen ? score < options.CloseScore : score >= options.OpenScore;
        _streak = pushing ? _streak + 1 : 0;
        var decisive = !IsOpen && score >= options.DecisiveScore;
        if (!decisive && _streak < (IsOpen ? options.MinCloseSamples : options.MinOpenSamples))
        {
            return GateChange.None;
        }

        _streak = 0;
        IsOpen = !IsOpen;
        return IsOpen ? GateChange.Opened : GateChange.Closed;
    }

    public void Write(SnapshotWriter writer)
    {
        writer.Write(_streak);
        writer.Write(IsOpen ? 1 : 0);
    }

    public void Read(SnapshotReader reader)
    {
        _streak = reader.ReadInt32();
        IsOpen = reader.ReadInt32() != 0;
    }
}
