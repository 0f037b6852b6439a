using AiDevOps.Contracts;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// Explains an incident from its facts alone, with no I/O: what is wrong, where, since when, how far from normal,
/// what else changed on the host, the likely cause and the next step; for a resolved incident what it was and how
/// long it lasted. Used with no model, a slow, failing or rate-limited model, and whenever the model's answer is
/// not grounded in the facts.
/// </summary>
public static class DeterministicIncidentSummary
{
    // Sentences are dropped from the least important up until the text fits the channel; these rank them.
    private const int Essential = 0;
    private const int Deviation = 1;
    private const int Cause = 2;
    private const int NextStep = 3;
    private const int Alert = 4;
    private const int Correlation = 5;
    private const int Others = 6;
    private const int Members = 7;

    private const int MaxAnnotationLength = 200;
    private const int MaxListed = 3;

    public static string Write(IncidentFacts facts)
    {
        var sentences = new List<(int Rank, string Text)>();
        var members = facts.Members ?? [];
        var lead = members.Count > 0 ? members[0] : null;
        var where = IncidentText.Where(facts);
        var cause = IncidentCause.Classify(facts);
        var resolved = string.Equals(facts.State, "resolved", StringComparison.OrdinalIgnoreCase) || facts.ResolvedAt is not null;

        sentences.Add((Essential, What(facts, lead, where, resolved)));
        if (lead is not null && Deviation_(lead) is { } deviation)
            sentences.Add((Deviation, deviation));
        if (lead?.ExhaustionAt is { } exhaustion && !resolved)
        {
            var from = IncidentText.LastSeen(facts);
            sentences.Add((Deviation, exhaustion > from
                ? $"At the current trend it runs out at {IncidentText.TimeAndDate(exhaustion)}, {IncidentText.Duration(exhaustion - from)} after the last sample."
                : $"It was forecast to run out at {IncidentText.TimeAndDate(exhaustion)}."));
        }
        if (lead?.Annotations is { Count: > 0 } annotations && AlertAnnotations(annotations) is { } said)
            sentences.Add((Alert, said));
        if (members.Count > 1)
            sentences.Add((Members, $"The incident has {members.Count} anomalies: {string.Join(", ", members.Take(MaxListed).Select(m => $"{m.Metric} ({Kind(m.Kind)})"))}{(members.Count > MaxListed ? " and more" : "")}."));
        if (facts.OtherAnomalies is { Count: > 0 } others)
            sentences.Add((Others, $"Also on this host: {string.Join(", ", others.Take(MaxListed).Select(o => $"{o.Metric} ({Kind(o.Kind)} since {IncidentText.Time(o.Since)})"))}{(others.Count > MaxListed ? $" and {others.Count - MaxListed} more" : "")}."));
        if (TopCorrelated(facts) is { } top)
            sentences.Add((Correlation, $"Moving with it: {top.Metric} (correlation {IncidentText.Number(top.Correlation)}), mean {IncidentText.Number(top.MeanBefore)} before and {IncidentText.Number(top.MeanSince)} since."));
        sentences.Add((Cause, LikelyCause(cause, facts, lead)));
        sentences.Add((NextStep, Next(cause, facts, resolved)));

        return Fit(sentences, facts.MaxCharacters > 0 ? facts.MaxCharacters : 900);
    }

    private static string What(IncidentFacts facts, MemberFacts? lead, string where, bool resolved)
    {
        var what = lead is null ? facts.Title : lead.Kind switch
        {
            AnomalyKinds.TargetDown => $"Target {where} is down",
            AnomalyKinds.AgentSilent => $"The agent of {where} stopped delivering",
            AnomalyKinds.PrometheusAlert => $"Prometheus alert {IncidentText.Label(lead.Labels, WellKnownLabels.AlertName) ?? lead.Metric} fired on {where}",
            AnomalyKinds.PredictedExhaustion => $"{lead.Metric} on {where} is heading for exhaustion",
            _ => $"{lead.Metric} on {where} is {Kind(lead.Kind)}",
        };
        if (string.IsNullOrWhiteSpace(what))
            what = $"Incident on {where}";
        if (!resolved)
            return $"{what} since {IncidentText.TimeAndDate(facts.Since)}.";
        var end = facts.ResolvedAt ?? IncidentText.LastSeen(facts);
        if (lead?.Kind == AnomalyKinds.TargetDown)
            what = $"Target {where} was down";
        return $"Resolved: {what} from {IncidentText.TimeAndDate(facts.Since)} to {IncidentText.Time(end)}, lasting {IncidentText.Duration(end - facts.Since)}.";
    }

    private static string? Deviation_(MemberFacts lead)
    {
        var parts = new List<string>();
        if (lead.RecentValues is { Count: > 0 } values)
        {
            var value = $"Latest {lead.Metric}: {IncidentText.Number(values[^1].Value)}";
            if (lead.Expected is { } expected)
                value += $" against an expected {IncidentText.Number(expected)}";
            if (lead.BandLow is { } low && lead.BandHigh is { } high)
                value += $" (normal band {IncidentText.Number(low)} to {IncidentText.Number(high)})";
            parts.Add(value);
        }
        else if (lead.Expected is { } expected)
            parts.Add($"Expected {lead.Metric}: {IncidentText.Number(expected)}");
        if (lead.Score is { } score)
            parts.Add(parts.Count == 0
                ? $"Detector {lead.Detector} scored {IncidentText.Number(score)}"
                : $"detector {lead.Detector} scored {IncidentText.Number(score)}");
        if (parts.Count == 0)
            return Evidence(lead.Evidence);
        // Without a baseline of its own, the detector's words are the only "how far from normal" there is.
        var sentence = string.Join(", ", parts) + ".";
        if (lead.Expected is null && Evidence(lead.Evidence) is { } evidence)
            sentence += " " + evidence;
        return sentence;
    }

    private static string? Evidence(string? evidence) =>
        OneLine(evidence, MaxAnnotationLength) is { Length: > 0 } text ? $"Evidence: {text.TrimEnd('.')}." : null;

    private static string? AlertAnnotations(IReadOnlyDictionary<string, string> annotations)
    {
        var summary = OneLine(IncidentText.Label(annotations, "summary"), MaxAnnotationLength)?.TrimEnd('.');
        var description = OneLine(IncidentText.Label(annotations, "description"), MaxAnnotationLength)?.TrimEnd('.');
        var runbook = IncidentText.Label(annotations, "runbook_url");
        var said = (summary, description) switch
        {
            ({ } s, { } d) when !string.Equals(s, d, StringComparison.Ordinal) => $"The alert says: {s}. {d}.",
            ({ } s, _) => $"The alert says: {s}.",
            (null, { } d) => $"The alert says: {d}.",
            _ => null,
        };
        if (runbook is not null)
            said = (said is null ? "" : said + " ") + $"Runbook: {runbook}.";
        return said;
    }

    private static CorrelatedSeries? TopCorrelated(IncidentFacts facts) =>
        facts.Correlated?.Where(c => c is not null && !double.IsNaN(c.Correlation))
            .OrderByDescending(c => Math.Abs(c.Correlation)).FirstOrDefault();

    private static string LikelyCause(CauseClass cause, IncidentFacts facts, MemberFacts? lead)
    {
        var members = facts.Members ?? [];
        switch (cause)
        {
            case CauseClass.TargetDown:
                var downTogether = members.Count(m => m.Kind == AnomalyKinds.TargetDown)
                    + (facts.OtherAnomalies ?? []).Count(o => o.Kind == AnomalyKinds.TargetDown);
                if (downTogether > 1)
                    return "Likely cause: several targets of this host went down together, so the host itself or the network to it (a firewall, a route) rather than one process.";
                if (facts.OtherAnomalies is { Count: > 0 } || facts.Correlated is { Count: > 0 })
                    return "Likely cause: the host still reports other series, so the process stopped or crashed, or its port no longer answers the scrape.";
                return "Likely cause: the process stopped or crashed, the host is down, or the network blocks the scrape.";
            case CauseClass.AgentSilent:
                return "Likely cause: the agent process stopped, the host is down, or it can no longer reach the Brain.";
            case CauseClass.DiskFilling:
                return lead?.ExhaustionAt is not null
                    ? "Likely cause: the disk is filling (growing logs, data or a runaway temporary file) and will run out at this rate."
                    : "Likely cause: the disk is filling (growing logs, data or a runaway temporary file).";
            case CauseClass.MemoryFilling:
                return "Likely cause: memory is filling, typically a leak in a long-running process or a cache without a bound.";
            case CauseClass.CpuSaturation:
                return "Likely cause: CPU saturation from more load, a runaway process or a busy neighbour.";
            case CauseClass.ErrorRate:
                var latency = Series(facts).FirstOrDefault(IncidentCause.IsLatency);
                return latency is not null
                    ? $"Likely cause: an error-rate spike with {latency} rising alongside, which points to a slow or failing dependency."
                    : "Likely cause: an error-rate spike, from a bad deploy, a failing dependency or bad input.";
            case CauseClass.Latency:
                return "Likely cause: slower responses from saturation or a slow dependency.";
            case CauseClass.PrometheusAlert:
                return "Likely cause: the condition of the alerting rule named above; its annotations say what it watches.";
            default:
                return "Likely cause: a change in the workload or in the service behind this metric.";
        }
    }

    private static string Next(CauseClass cause, IncidentFacts facts, bool resolved)
    {
        var instance = IncidentText.Instance(facts) ?? "the host";
        if (resolved)
            return cause switch
            {
                CauseClass.TargetDown => $"Next step: check the logs of {instance} around the outage for why the process stopped.",
                CauseClass.DiskFilling => $"Next step: find what filled the disk on {instance} so it does not fill again.",
                CauseClass.MemoryFilling => $"Next step: check whether a restart freed the memory on {instance}; a leak will return.",
                _ => $"Next step: review recent changes and logs of {instance} for that window to prevent a repeat.",
            };
        return cause switch
        {
            CauseClass.TargetDown => $"Next step: check the service on {instance} (systemctl status, its logs) and whether the host answers ping.",
            CauseClass.AgentSilent => $"Next step: check the agent on {instance} and its logs.",
            CauseClass.DiskFilling => $"Next step: find the largest growing directories on {instance} (du, journal, logs) and free or extend the disk.",
            CauseClass.MemoryFilling => $"Next step: find the process whose memory grows on {instance} (top, RSS) and restart or fix it.",
            CauseClass.CpuSaturation => $"Next step: find the busiest processes on {instance} (top) and compare with the load.",
            CauseClass.ErrorRate => $"Next step: check recent deploys and the logs of {instance} and its dependencies.",
            CauseClass.Latency => $"Next step: check the slowest dependencies and the saturation of {instance}.",
            CauseClass.PrometheusAlert => "Next step: follow the alert's runbook or check what its rule watches.",
            _ => $"Next step: check recent deploys and the logs of {instance}.",
        };
    }

    private static IEnumerable<string> Series(IncidentFacts facts) =>
        (facts.Members ?? []).Select(m => m.Metric)
            .Concat((facts.Correlated ?? []).Select(c => c.Metric))
            .Concat((facts.OtherAnomalies ?? []).Select(o => o.Metric))
            .Where(m => !string.IsNullOrEmpty(m));

    private static string Kind(string? kind) => kind switch
    {
        AnomalyKinds.Unusual => "unusual",
        AnomalyKinds.TargetDown => "down",
        AnomalyKinds.PredictedExhaustion => "forecast to run out",
        AnomalyKinds.PrometheusAlert => "alert",
        AnomalyKinds.AgentSilent => "agent silent",
        null or "" => "anomalous",
        _ => kind.Replace('_', ' '),
    };

    /// <summary>Drops the least important sentences until the rest fit; a first sentence too long is cut at a word and closed.</summary>
    internal static string Fit(List<(int Rank, string Text)> sentences, int maxCharacters)
    {
        var kept = sentences.ToList();
        while (Length(kept) > maxCharacters && kept.Count > 1)
        {
            var worst = kept.Skip(1).Select((s, i) => (s.Rank, Index: i + 1)).OrderByDescending(s => s.Rank).ThenByDescending(s => s.Index).First();
            kept.RemoveAt(worst.Index);
        }
        var text = string.Join(' ', kept.Select(s => s.Text));
        if (text.Length <= maxCharacters)
            return text;
        var cut = text.LastIndexOf(' ', Math.Max(0, maxCharacters - 2));
        return (cut > 0 ? text[..cut] : text[..Math.Max(0, maxCharacters - 1)]).TrimEnd(',', ';', ':', ' ') + ".";
    }

    private static int Length(List<(int Rank, string Text)> sentences) =>
        sentences.Sum(s => s.Text.Length) + Math.Max(0, sentences.Count - 1);

    private static string? OneLine(string? text, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length <= maxLength)
            return line;
        var cut = line.LastIndexOf(' ', maxLength - 1);
        return (cut > 0 ? line[..cut] : line[..maxLength]).TrimEnd(',', ';', ':', '.') + "…";
    }
}
