using System.Buffers;

namespace AiDevOps.Contracts;

/// <summary>
/// Checks an ingest body before anything is stored, so a request is taken whole or not at all. Errors are keyed by
/// the JSON path of the offending field, ready for a validation problem response.
/// </summary>
public static class IngestValidator
{
    public const int MaxLabelsPerSeries = 64;
    public const int MaxLabelValueLength = 2048;
    private const int MaxErrors = 20;

    private static readonly SearchValues<char> LabelNameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    private static readonly SearchValues<char> MetricNameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:");

    /// <summary>Samples further ahead of the Brain's clock than this are refused: a skewed agent clock, not data.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    public static Dictionary<string, string[]> Validate(IngestRequest? request, int maxSamples, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.Series is null)
        {
            errors["series"] = ["The body must be a JSON object with a 'series' array."];
            return errors;
        }
        if (request.Series.Count == 0)
        {
            errors["series"] = ["The 'series' array is empty: there is nothing to ingest."];
            return errors;
        }

        var latest = (now + MaxClockSkew).ToUnixTimeMilliseconds();
        var total = 0;
        for (var i = 0; i < request.Series.Count && errors.Count < MaxErrors; i++)
        {
            // Every series of every request passes here: its path is only spelt out for an error.
            string Path() => $"series[{i}]";
            var series = request.Series[i];
            if (series is null)
            {
                errors[Path()] = ["A series must be an object with 'labels' and 'samples'."];
                continue;
            }
            if (ValidateLabels(series.Labels) is { } labelErrors)
                errors[$"{Path()}.labels"] = [.. labelErrors];

            if (series.Samples is null || series.Samples.Count == 0)
            {
                errors[$"{Path()}.samples"] = ["A series needs at least one sample."];
                continue;
            }
            total += series.Samples.Count;
            for (var j = 0; j < series.Samples.Count; j++)
            {
                var sample = series.Samples[j];
                if (sample.Timestamp <= 0 || sample.Timestamp > latest)
                {
                    errors[$"{Path()}.samples[{j}].timestamp"] =
                        [$"The timestamp must be Unix milliseconds after 1970 and at most {MaxClockSkew.TotalMinutes:0} minutes ahead of the Brain's clock."];
                    break;
                }
            }
        }
        if (total > maxSamples)
            errors["series"] = [$"The request carries {total} samples; at most {maxSamples} are accepted at once. Split it."];
        return errors;
    }

    /// <summary>The problems with a series' labels, or null when there are none (the usual case, which allocates nothing).</summary>
    private static List<string>? ValidateLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null || !labels.TryGetValue(WellKnownLabels.MetricName, out var metric))
            return [$"The labels must include '{WellKnownLabels.MetricName}', the metric name."];
        List<string>? problems = null;
        // A JSON null reaches the dictionary as null (nullable annotations are not enforced when reading); the loop names it.
        if (metric is not null && !IsMetricName(metric))
            (problems ??= []).Add($"The metric name '{Truncate(metric)}' must match [a-zA-Z_:][a-zA-Z0-9_:]*.");
        if (labels.Count > MaxLabelsPerSeries)
            (problems ??= []).Add($"A series may have at most {MaxLabelsPerSeries} labels; it has {labels.Count}.");
        if (labels is LabelDictionary sorted)
        {
            foreach (var (name, value) in sorted.Sorted)
                ValidateLabel(name, value, ref problems);
        }
        else
        {
            foreach (var (name, value) in labels)
                ValidateLabel(name, value, ref problems);
        }
        return problems;
    }

    private static void ValidateLabel(string name, string? value, ref List<string>? problems)
    {
        if (name != WellKnownLabels.MetricName && !IsLabelName(name))
            (problems ??= []).Add($"The label name '{Truncate(name)}' must match [a-zA-Z_][a-zA-Z0-9_]*.");
        if (value is null || value.Length > MaxLabelValueLength)
            (problems ??= []).Add($"The value of label '{Truncate(name)}' must be a string of at most {MaxLabelValueLength} characters.");
    }

    public static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(MetricNameChars);

    public static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(LabelNameChars);

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
