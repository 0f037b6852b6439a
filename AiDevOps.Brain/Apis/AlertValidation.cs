using AiDevOps.Contracts;

namespace AiDevOps.Brain.Apis;

/// <summary>What every way in for Prometheus alerts checks before the tracker sees them: one bad alert refuses the whole body.</summary>
internal static class AlertValidation
{
    /// <summary>The most alerts taken in one body; Alertmanager's groups and Prometheus's batches stay far below it.</summary>
    public const int MaxAlerts = 10_000;

    /// <summary>Problems reported at most, so a body of many bad alerts gets a readable answer.</summary>
    public const int MaxErrors = 20;

    /// <summary>What is wrong with an alert's labels, or null: they key its anomaly, so each must be a valid label with a value.</summary>
    public static string? LabelsProblem(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || !labels.TryGetValue(WellKnownLabels.AlertName, out var name) || string.IsNullOrEmpty(name))
            return "An alert needs labels, among them alertname.";
        foreach (var (label, value) in labels)
        {
            if (!IngestValidator.IsLabelName(label))
                return $"The label name '{label}' must match [a-zA-Z_][a-zA-Z0-9_]*.";
            // JSON null reaches a string-typed dictionary as null: nullable annotations are not enforced when reading.
            if (value is null)
                return $"The value of label '{label}' must be a string.";
        }
        return null;
    }
}
