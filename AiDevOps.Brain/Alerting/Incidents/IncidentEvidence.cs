using System.Diagnostics;
using AiDevOps.Brain.Anomalies;
using AiDevOps.Brain.Tenancy;
using AiDevOps.Contracts;
using AiDevOps.Storage;
using AiDevOps.Storage.Query;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Incidents;

/// <summary>
/// What the Brain knows about an incident, gathered for its explanation within a time budget: each member's recent
/// values against what its detector expected, the host's other anomalies in the incident's window, the host's series
/// that moved most like the lead member (computed, not guessed), and a read-only token for the model's tools. What
/// the budget leaves no time for is left out, never waited for.
/// </summary>
public sealed class IncidentEvidence(
    ISampleStore samples, AnomalyStore anomalies, ReadOnlyTokens tokens, IOptions<AlertingOptions> options, TimeProvider clock)
{
    /// <summary>How far before the incident the correlation looks, to see what changed when it began.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);

    private const int MaxMembers = 10;
    private const int MaxOthers = 10;
    private const int MaxCorrelated = 3;
    private const int MaxCandidates = 200;

    /// <summary>Correlations weaker than this are not worth a reader's attention.</summary>
    private const double MinCorrelation = 0.6;

    public async Task<IncidentFacts> GatherAsync(Incident incident, TimeSpan budget, int maxCharacters, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        TimeSpan Left() => budget - Stopwatch.GetElapsedTime(started);
        var lead = incident.Lead;
        var members = new List<MemberFacts>();
        foreach (var member in incident.Members.OrderByDescending(m => m.Id == lead.Id).ThenByDescending(m => m.IsOpen).Take(MaxMembers))
        {
            // Stale markers and a detector's not-yet-known level are NaN: evidence holds only what can be said (and sent as JSON).
            var recent = (await samples.LatestAsync(member.Series.Tenant, member.Series.Id, options.Value.EvidenceSamples, ct))
                .Where(p => double.IsFinite(p.Value)).ToList();
            members.Add(new MemberFacts(member.Series.Metric, member.Series.Labels, member.Kind, member.Detector, member.OpenedAt, member.ResolvedAt,
                recent, member.Evidence, Finite(member.Score), Finite(member.Expected), ExhaustionAt: member.ExhaustionAt,
                Annotations: member.Kind == AnomalyKinds.PrometheusAlert && member.Evidence is { } said ? new Dictionary<string, string> { ["summary"] = said } : null));
        }
        var others = await OtherAnomaliesAsync(incident, ct);
        var correlated = Left() > budget / 2 ? await CorrelatedAsync(incident, lead, Left() / 2, ct) : [];
        var (token, expiresAt) = tokens.Issue(incident.Tenant, options.Value.ExplanationTimeout + TimeSpan.FromSeconds(5));
        return new IncidentFacts(incident.Id, incident.Version, incident.Title, incident.State.ToString().ToLowerInvariant(), incident.Group,
            incident.OpenedAt, incident.ResolvedAt, members, others, correlated,
            new InsightTools(options.Value.BrainUrl, token, expiresAt), maxCharacters);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private async Task<IReadOnlyList<OtherAnomaly>> OtherAnomaliesAsync(Incident incident, CancellationToken ct)
    {
        if (incident.Lead.Series.Labels.GetValueOrDefault(WellKnownLabels.Instance) is not { Length: > 0 } instance)
            return [];
        var from = incident.OpenedAt - Window;
        var memberIds = incident.Members.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        return [.. (await anomalies.ListAsync(incident.Tenant, open: null, limit: 500, ct))
            .Where(a => !memberIds.Contains(a.Id) && a.Series.Labels.GetValueOrDefault(WellKnownLabels.Instance) == instance
                && (a.ResolvedAt ?? DateTimeOffset.MaxValue) >= from)
            .Take(MaxOthers)
            .Select(a => new OtherAnomaly(a.Series.Metric, a.Series.Labels, a.Kind, a.OpenedAt, a.Evidence))];
    }

    private async Task<IReadOnlyList<CorrelatedSeries>> CorrelatedAsync(Incident incident, Anomaly lead, TimeSpan budget, CancellationToken ct)
    {
        if (lead.Series.Labels.GetValueOrDefault(WellKnownLabels.Instance) is not { Length: > 0 } instance)
            return [];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(budget);
        try
        {
            var until = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var from = (incident.OpenedAt - Window).ToUnixTimeMilliseconds();
            var host = new[] { LabelMatcher.Equal(WellKnownLabels.Instance, instance) };
            var candidates = new List<Series>();
            foreach (var metric in await samples.MetricNamesAsync(incident.Tenant, timeout.Token))
            {
                if (candidates.Count >= MaxCandidates)
                    break;
                candidates.AddRange((await samples.FindSeriesAsync(incident.Tenant, metric, host, MaxCandidates - candidates.Count, timeout.Token))
                    .Where(s => s.Id != lead.Series.Id && incident.Members.All(m => m.Series.Id != s.Id)));
            }
            var values = await samples.ReadManyAsync(incident.Tenant, [lead.Series.Id, .. candidates.Select(c => c.Id)], from, until, timeout.Token);
            if (!values.TryGetValue(lead.Series.Id, out var leadValues))
                return [];
            var since = incident.OpenedAt.ToUnixTimeMilliseconds();
            return [.. candidates
                .Select(c => (Series: c, R: values.TryGetValue(c.Id, out var v) ? Correlation.Pearson(leadValues, v) : null, Values: v))
                .Where(c => c.R is { } r && Math.Abs(r) >= MinCorrelation)
                .OrderByDescending(c => Math.Abs(c.R!.Value))
                .Select(c => (c.Series, c.R, Means: Correlation.MeansAround(c.Values!, since)))
                .Where(c => c.Means is ({ }, { }))
                .Take(MaxCorrelated)
                .Select(c => new CorrelatedSeries(c.Series.Metric, c.Series.Labels, Math.Round(c.R!.Value, 2), c.Means.Before!.Value, c.Means.Since!.Value))];
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return [];
        }
    }
}
