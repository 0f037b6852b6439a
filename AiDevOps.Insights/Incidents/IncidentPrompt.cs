using System.Globalization;
using AiDevOps.Contracts;
using Microsoft.SemanticKernel;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// The incident's evidence as the prompt template <c>Prompts/ExplainIncident.txt</c> shows it: members against their
/// baselines, other anomalies of the host, correlated series, written the way the grounding check reads them back.
/// </summary>
public static class IncidentPrompt
{
    public const string ResourceName = "AiDevOps.Insights.Prompts.ExplainIncident.txt";

    // Enough history to show a trend without letting long series crowd out the instructions.
    private const int MaxValuesPerMember = 12;
    private const int MaxMembers = 10;
    private const int MaxOthers = 10;
    private const int MaxCorrelated = 5;
    private const int MaxTextLength = 400;

    public static KernelFunction CreateFunction()
    {
        using var stream = typeof(IncidentPrompt).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The explain-incident prompt is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        // Execution settings (temperature, tools) come with each call's arguments: tools depend on the incident.
        return KernelFunctionFactory.CreateFromPrompt(new PromptTemplateConfig(reader.ReadToEnd()) { Name = "explain_incident" });
    }

    public static KernelArguments Render(IncidentFacts facts, DateTimeOffset now, int maxToolCalls, PromptExecutionSettings settings) =>
        new(settings)
        {
            ["title"] = facts.Title,
            ["state"] = facts.State,
            ["where"] = IncidentText.Where(facts),
            ["group"] = Labels(facts.Group),
            ["since"] = IncidentText.TimeAndDate(facts.Since),
            ["resolvedAt"] = facts.ResolvedAt is { } resolved ? IncidentText.TimeAndDate(resolved) : "not resolved",
            ["now"] = IncidentText.TimeAndDate(now),
            ["causeClass"] = IncidentCause.Classify(facts).ToString(),
            ["members"] = Lines((facts.Members ?? []).Take(MaxMembers).Select(Member), "none"),
            ["others"] = Lines((facts.OtherAnomalies ?? []).Take(MaxOthers).Select(Other), "none"),
            ["correlated"] = Lines((facts.Correlated ?? []).OrderByDescending(c => Math.Abs(c.Correlation)).Take(MaxCorrelated).Select(Correlated), "none"),
            ["maxToolCalls"] = maxToolCalls.ToString(CultureInfo.InvariantCulture),
            ["maxCharacters"] = facts.MaxCharacters.ToString(CultureInfo.InvariantCulture),
        };

    private static string Member(MemberFacts member)
    {
        var parts = new List<string>
        {
            $"kind {member.Kind}",
            $"detector {member.Detector}",
            $"since {IncidentText.Time(member.Since)}",
        };
        if (member.ResolvedAt is { } resolved)
            parts.Add($"resolved {IncidentText.Time(resolved)}");
        var values = member.RecentValues ?? [];
        if (values.Count > 0)
        {
            var shown = values.Skip(Math.Max(0, values.Count - MaxValuesPerMember)).Select(point =>
                $"{DateTimeOffset.FromUnixTimeMilliseconds(point.Timestamp).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}={IncidentText.Number(point.Value)}");
            parts.Add($"recent values (UTC, oldest first) {string.Join(", ", shown)}");
        }
        if (member.Expected is { } expected)
            parts.Add($"expected {IncidentText.Number(expected)}");
        if (member.BandLow is { } low && member.BandHigh is { } high)
            parts.Add($"normal band {IncidentText.Number(low)} to {IncidentText.Number(high)}");
        if (member.Score is { } score)
            parts.Add($"score {IncidentText.Number(score)}");
        if (member.ExhaustionAt is { } exhaustion)
            parts.Add($"forecast to run out at {IncidentText.TimeAndDate(exhaustion)}");
        if (Text(member.Evidence) is { } evidence)
            parts.Add($"evidence: {evidence}");
        if (member.Annotations is { Count: > 0 } annotations)
            parts.Add("alert annotations: " + string.Join("; ", annotations.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {Text(a.Value)}")));
        return $"- {Series(member.Metric, member.Labels)}: {string.Join("; ", parts)}";
    }

    private static string Other(OtherAnomaly other) =>
        $"- {Series(other.Metric, other.Labels)}: kind {other.Kind}; since {IncidentText.Time(other.Since)}"
        + (Text(other.Evidence) is { } evidence ? $"; evidence: {evidence}" : "");

    private static string Correlated(CorrelatedSeries series) =>
        $"- {Series(series.Metric, series.Labels)}: correlation {IncidentText.Number(series.Correlation)}; mean before {IncidentText.Number(series.MeanBefore)}; mean since {IncidentText.Number(series.MeanSince)}";

    private static string Series(string metric, IReadOnlyDictionary<string, string>? labels) => $"{metric}{{{Labels(labels)}}}";

    private static string Labels(IReadOnlyDictionary<string, string>? labels) => string.Join(", ",
        (labels ?? new Dictionary<string, string>())
            .Where(label => label.Key != WellKnownLabels.MetricName)
            .OrderBy(label => label.Key, StringComparer.Ordinal)
            .Select(label => $"{label.Key}=\"{label.Value}\""));

    private static string? Text(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Summaries.SummaryText.OneLine(text, MaxTextLength);

    private static string Lines(IEnumerable<string> lines, string none)
    {
        var text = string.Join('\n', lines);
        return text.Length == 0 ? none : text;
    }
}
