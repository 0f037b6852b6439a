using System.Text;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Anomalies;

namespace AiDevOps.Brain.Alerting.Digests;

/// <summary>A series that raised anomalies in the digest's day, and how often.</summary>
public sealed record NoisySeries(string Series, int Anomalies);

/// <summary>
/// One tenant's day in a few lines: the incidents (how many paged, the longest), the series that raised the most
/// anomalies, and what was silenced. Built from plain records (no I/O), so it reads the same in a test.
/// </summary>
public sealed record Digest(
    string Tenant,
    DateTimeOffset From,
    DateTimeOffset Until,
    IReadOnlyList<Incident> Incidents,
    IReadOnlyList<NoisySeries> Noisy,
    IReadOnlyList<Silence> Silences)
{
    public const int MaxListed = 5;

    public string Title => $"AiDevOps daily digest for {Tenant}, {From.UtcDateTime:yyyy-MM-dd}";

    public static Digest Of(
        string tenant, DateTimeOffset from, DateTimeOffset until,
        IEnumerable<Incident> incidents, IEnumerable<Anomaly> anomalies, IEnumerable<Silence> silences)
    {
        bool During(DateTimeOffset start, DateTimeOffset? end) => start < until && (end ?? DateTimeOffset.MaxValue) >= from;
        var inDay = incidents.Where(i => During(i.OpenedAt, i.ResolvedAt)).OrderBy(i => i.OpenedAt).ToList();
        var noisy = anomalies.Where(a => a.OpenedAt >= from && a.OpenedAt < until)
            .GroupBy(a => a.Series.Selector())
            .Select(g => new NoisySeries(g.Key, g.Count()))
            .OrderByDescending(n => n.Anomalies).ThenBy(n => n.Series, StringComparer.Ordinal)
            .Take(MaxListed)
            .ToList();
        var silenced = silences.Where(s => During(s.StartsAt, s.EndsAt)).OrderBy(s => s.StartsAt).ToList();
        return new Digest(tenant, from, until, inDay, noisy, silenced);
    }

    /// <summary>The digest as plain text, the same on every channel.</summary>
    public string Text()
    {
        var text = new StringBuilder();
        var paged = Incidents.Count(i => i.Pages);
        text.Append(Incidents.Count == 0 ? "No incidents." : $"{Incidents.Count} incidents, {paged} paged, {Incidents.Count(i => i.IsOpen)} still open.").Append('\n');
        foreach (var incident in Incidents.OrderByDescending(Lasted).Take(MaxListed))
        {
            var state = incident.IsOpen ? "still open" : "lasted " + AlertText.Duration(Lasted(incident));
            text.Append("• ").Append(incident.Title).Append(" on ").Append(incident.Selector).Append(": ").Append(state)
                .Append(incident.Pages ? " (paged)" : "").Append('\n');
        }
        if (Noisy.Count > 0)
        {
            text.Append("\nNoisiest series:\n");
            foreach (var series in Noisy)
                text.Append("• ").Append(series.Series).Append(": ").Append(series.Anomalies).Append(series.Anomalies == 1 ? " anomaly" : " anomalies").Append('\n');
        }
        text.Append(Silences.Count == 0 ? "\nNothing was silenced." : "\nSilenced:\n");
        foreach (var silence in Silences)
            text.Append("• ").Append(silence.Matchers).Append(" by ").Append(silence.CreatedBy).Append(" until ").Append(AlertText.Time(silence.EndsAt))
                .Append(silence.Comment.Length > 0 ? ": " + silence.Comment : "").Append('\n');
        return AlertText.Clean(text.ToString().TrimEnd());

        TimeSpan Lasted(Incident incident) => (incident.ResolvedAt ?? Until) - incident.OpenedAt;
    }
}
