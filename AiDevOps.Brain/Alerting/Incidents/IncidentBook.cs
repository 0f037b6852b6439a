using AiDevOps.Brain.Anomalies;

namespace AiDevOps.Brain.Alerting.Incidents;

/// <summary>A change of an incident and what it means to send.</summary>
public sealed record IncidentUpdate(Incident Incident, NotificationKind Kind);

/// <summary>
/// Groups anomalies into incidents: one a tenant, route and group (the values of the route's group_by labels). The
/// first anomaly of a group opens an incident, to be sent at once; later ones join it (an edit, or a loud message
/// when it now pages); the incident resolves with its last member, and takes back a member within its group
/// interval after that (firing again, not a new incident). Plain state, fed in order, no I/O, so the same grouping
/// runs in the Brain, in the noise benchmark and in tests.
/// </summary>
public sealed class IncidentBook
{
    private readonly Dictionary<string, Incident> _byGroup = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _groupById = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>An incident the book holds (open, or resolved within its group interval).</summary>
    public Incident? Find(string id)
    {
        lock (_lock)
            return _groupById.TryGetValue(id, out var group) ? _byGroup[group] : null;
    }

    public IReadOnlyList<Incident> Open()
    {
        lock (_lock)
            return [.. _byGroup.Values.Where(i => i.IsOpen)];
    }

    /// <summary>
    /// Takes back the incidents of one tenant that a previous owner left open or recently resolved (after a restart,
    /// or on another Brain after a failover), in place of whatever this book held of that tenant.
    /// </summary>
    public void Restore(string tenant, IEnumerable<Incident> incidents)
    {
        lock (_lock)
        {
            Forget(tenant);
            foreach (var incident in incidents.OrderBy(i => i.OpenedAt))
            {
                var key = GroupKey(incident.Tenant, incident.RouteId, incident.Group);
                _byGroup[key] = incident;
                _groupById[incident.Id] = key;
            }
        }
    }

    /// <summary>Lets go of one tenant's incidents: another Brain owns its alerting now.</summary>
    public void Release(string tenant)
    {
        lock (_lock)
            Forget(tenant);
    }

    private void Forget(string tenant)
    {
        foreach (var (id, group) in _groupById.Where(g => _byGroup[g.Value].Tenant == tenant).ToList())
        {
            _groupById.Remove(id);
            _byGroup.Remove(group);
        }
    }

    /// <summary>
    /// What <paramref name="change"/> does to the incident of its group on <paramref name="route"/>; null when it
    /// changes nothing to tell (a change seen before, a resolve of an anomaly no incident holds).
    /// </summary>
    public IncidentUpdate? Apply(AnomalyChange change, AlertRoute route, IReadOnlyList<string> receiverIds, DateTimeOffset now)
    {
        var anomaly = change.Anomaly;
        var settings = route.EffectiveSettings;
        var groupLabels = settings.GroupBy.ToDictionary(name => name, name => anomaly.Series.Labels.GetValueOrDefault(name, ""), StringComparer.Ordinal);
        var key = GroupKey(anomaly.Series.Tenant, route.Id, groupLabels);
        lock (_lock)
        {
            Forget(now);
            _byGroup.TryGetValue(key, out var current);
            if (change is AnomalyResolved)
                return current is null ? null : Resolve(key, current, anomaly, now);

            var member = $"{AlertText.Title(anomaly)} on {anomaly.Series.Selector()}";
            if (current is { IsOpen: true })
            {
                if (current.Members.Any(m => m.Id == anomaly.Id))
                    return null;
                var joined = current with { Members = [.. current.Members, anomaly] };
                var escalated = !current.Pages && joined.Pages;
                if (escalated)
                    joined = joined with { LastNotifiedAt = now };
                return Keep(key, joined.With(new(now, (escalated ? "Escalated: " : "Joined: ") + member)),
                    escalated ? NotificationKind.Escalated : NotificationKind.Updated);
            }
            if (current is { ResolvedAt: { } resolvedAt } && now - resolvedAt < settings.GroupInterval)
            {
                var reopened = current with
                {
                    State = IncidentState.Open,
                    ResolvedAt = null,
                    AcknowledgedBy = null,
                    AcknowledgedAt = null,
                    Members = [.. current.Members.Where(m => m.Id != anomaly.Id), anomaly],
                    LastNotifiedAt = now,
                };
                return Keep(key, reopened.With(new(now, "Firing again: " + member)), NotificationKind.Reopened);
            }
            var opened = new Incident(anomaly.Series.Tenant, Incident.IdFor(anomaly.Series.Tenant, route.Id, key, anomaly.OpenedAt), route.Id,
                groupLabels, receiverIds, settings, IncidentState.Open, anomaly.OpenedAt, [anomaly], [new(now, "Opened: " + member)], now);
            return Keep(key, opened, NotificationKind.Opened);
        }
    }

    /// <summary>Someone took the incident: repeats stop, the message says who. Null when it is not open.</summary>
    public IncidentUpdate? Acknowledge(string id, string by, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_groupById.TryGetValue(id, out var key) || _byGroup[key] is not { State: IncidentState.Open } incident)
                return null;
            var acknowledged = incident with { State = IncidentState.Acknowledged, AcknowledgedBy = by, AcknowledgedAt = now };
            return Keep(key, acknowledged.With(new(now, "Acknowledged by " + by)), NotificationKind.Acknowledged);
        }
    }

    /// <summary>
    /// Someone resolved the incident by hand: it is resolved, and so are its members as far as it is concerned, so
    /// their own recoveries later tell nothing more. A new anomaly of the group within its group interval opens it
    /// again. Null when it is not open.
    /// </summary>
    public IncidentUpdate? Close(string id, string by, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_groupById.TryGetValue(id, out var key) || _byGroup[key] is not { IsOpen: true } incident)
                return null;
            var closed = incident with
            {
                State = IncidentState.Resolved,
                ResolvedAt = now,
                Members = [.. incident.Members.Select(m => m.IsOpen ? m with { ResolvedAt = now } : m)],
            };
            return Keep(key, closed.With(new(now, "Resolved by " + by)), NotificationKind.Resolved);
        }
    }

    /// <summary>Someone silenced the incident's group until <paramref name="until"/>: its message says so. Null when it is not open.</summary>
    public IncidentUpdate? Silence(string id, string by, DateTimeOffset until, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_groupById.TryGetValue(id, out var key) || _byGroup[key] is not { IsOpen: true } incident)
                return null;
            var silenced = incident with { SilencedBy = by, SilencedUntil = until };
            return Keep(key, silenced.With(new(now, $"Silenced until {AlertText.Time(until)} by {by}")), NotificationKind.Updated);
        }
    }

    /// <summary>
    /// The incident's explanation arrived: an edit, when it says something new. Null when the incident is gone (resolved
    /// past its group interval) or already says it.
    /// </summary>
    public IncidentUpdate? Explain(string id, string summary, string source)
    {
        lock (_lock)
        {
            if (!_groupById.TryGetValue(id, out var key) || _byGroup[key] is not { } incident || incident.Summary == summary)
                return null;
            return Keep(key, incident with { Summary = summary, SummarySource = source }, NotificationKind.Updated);
        }
    }

    /// <summary>A member's anomaly with what was learnt about it since it joined (its summary).</summary>
    public IReadOnlyList<Incident> Annotate(Anomaly anomaly)
    {
        lock (_lock)
        {
            var changed = new List<Incident>();
            foreach (var (key, incident) in _byGroup.ToList())
            {
                if (incident.Members.All(m => m.Id != anomaly.Id))
                    continue;
                var annotated = incident with { Members = [.. incident.Members.Select(m => m.Id == anomaly.Id ? anomaly with { ResolvedAt = m.ResolvedAt } : m)] };
                changed.Add(Keep(key, annotated, NotificationKind.Updated).Incident);
            }
            return changed;
        }
    }

    /// <summary>Open incidents nobody acknowledged whose repeat interval has passed since they were last sent as news.</summary>
    public IReadOnlyList<IncidentUpdate> DueForRepeat(DateTimeOffset now)
    {
        lock (_lock)
        {
            var due = _byGroup
                .Where(g => g.Value.State == IncidentState.Open && now - g.Value.LastNotifiedAt >= g.Value.Settings.RepeatInterval
                    && !(g.Value.SilencedUntil > now))
                .ToList();
            return [.. due.Select(g => Keep(g.Key,
                g.Value.With(new(now, $"Sent again: still open after {AlertText.Duration(now - g.Value.OpenedAt)}")) with { LastNotifiedAt = now },
                NotificationKind.Repeated))];
        }
    }

    private IncidentUpdate? Resolve(string key, Incident incident, Anomaly resolved, DateTimeOffset now)
    {
        if (incident.Members.FirstOrDefault(m => m.Id == resolved.Id) is not { IsOpen: true } member)
            return null;
        var at = resolved.ResolvedAt ?? now;
        var members = incident.Members.Select(m => m.Id == resolved.Id ? member with { ResolvedAt = at } : m).ToList();
        var changed = incident with { Members = members };
        var what = $"Resolved: {AlertText.Title(member)} on {member.Series.Selector()}";
        if (members.Any(m => m.IsOpen))
            return Keep(key, changed.With(new(now, what)), NotificationKind.Updated);
        var closed = changed with { State = IncidentState.Resolved, ResolvedAt = at };
        return Keep(key, closed.With(new(now, what)).With(new(now, "Incident resolved")), NotificationKind.Resolved);
    }

    private IncidentUpdate Keep(string key, Incident incident, NotificationKind kind)
    {
        if (_byGroup.TryGetValue(key, out var before) && before.Id == incident.Id)
            incident = incident with { Version = before.Version + 1 };
        _byGroup[key] = incident;
        _groupById[incident.Id] = key;
        return new IncidentUpdate(incident, kind);
    }

    /// <summary>Resolved incidents past their group interval can no longer take a member back.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, incident) in _byGroup.Where(g => g.Value.ResolvedAt is { } at && now - at >= g.Value.Settings.GroupInterval).ToList())
        {
            _byGroup.Remove(key);
            _groupById.Remove(incident.Id);
        }
    }

    private static string GroupKey(string tenant, string routeId, IReadOnlyDictionary<string, string> group) =>
        string.Join('\0', [tenant, routeId, .. group.OrderBy(l => l.Key, StringComparer.Ordinal).SelectMany(l => new[] { l.Key, l.Value })]);
}
