using System.Globalization;
using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// How incident explanations write numbers, times, durations and places, shared by the deterministic summary, the
/// prompt and the grounding check, so what one writes the other recognises.
/// </summary>
public static class IncidentText
{
    /// <summary>Up to four significant digits, no exponent below a billion, invariant culture: <c>0.9712</c>, <c>85.3</c>, <c>123457</c>.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            return value.ToString(CultureInfo.InvariantCulture);
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e4 && magnitude < 1e12)
            return Math.Round(value).ToString("0", CultureInfo.InvariantCulture);
        return value.ToString("G4", CultureInfo.InvariantCulture);
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string TimeAndDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("HH:mm 'UTC on' yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A duration as people say it on call: <c>45 seconds</c>, <c>12 minutes</c>, <c>3 hours</c>, <c>2 days</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
            duration = duration.Negate();
        return duration switch
        {
            { TotalSeconds: < 90 } => Plural((int)Math.Round(duration.TotalSeconds), "second"),
            { TotalMinutes: < 120 } => Plural((int)Math.Round(duration.TotalMinutes), "minute"),
            { TotalHours: < 48 } => Plural((int)Math.Round(duration.TotalHours), "hour"),
            _ => Plural((int)Math.Round(duration.TotalDays), "day"),
        };
    }

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");

    /// <summary>Where an incident is, from its group labels or else its lead member's: <c>db-1:9100 (job node)</c>.</summary>
    public static string Where(IncidentFacts facts)
    {
        var lead = facts.Members is { Count: > 0 } members ? members[0].Labels : null;
        var instance = Label(facts.Group, WellKnownLabels.Instance) ?? Label(facts.Group, "host")
            ?? Label(lead, WellKnownLabels.Instance) ?? Label(lead, "host");
        var job = Label(facts.Group, WellKnownLabels.Job) ?? Label(lead, WellKnownLabels.Job);
        return (instance, job) switch
        {
            ({ } i, { } j) => $"{i} (job {j})",
            ({ } i, null) => i,
            (null, { } j) => $"job {j}",
            _ => facts.Group is { Count: > 0 } group
                ? string.Join(", ", group.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))
                : "an unlabelled target",
        };
    }

    /// <summary>The instance (or host) of the incident, when its labels say.</summary>
    public static string? Instance(IncidentFacts facts)
    {
        var lead = facts.Members is { Count: > 0 } members ? members[0].Labels : null;
        return Label(facts.Group, WellKnownLabels.Instance) ?? Label(facts.Group, "host")
            ?? Label(lead, WellKnownLabels.Instance) ?? Label(lead, "host");
    }

    public static string? Label(IReadOnlyDictionary<string, string>? labels, string name) =>
        labels is not null && labels.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>The incident's end, or the latest thing it knows of: its last sample, else its start.</summary>
    public static DateTimeOffset LastSeen(IncidentFacts facts)
    {
        var last = facts.Since;
        foreach (var member in facts.Members ?? [])
            if (member.RecentValues is { Count: > 0 } values)
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(values[^1].Timestamp);
                if (at > last)
                    last = at;
            }
        return last;
    }
}
