using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// The configured agents and the tenants they make up: the one list every background task walks (folding, restoring,
/// fitting), so a tenant exists exactly when an agent of it is configured.
/// </summary>
public sealed class AgentDirectory(IOptions<AgentKeysOptions> options)
{
    private readonly HashSet<AgentIdentity> _agents = options.Value.Agents.Select(a => new AgentIdentity(a.Id, a.Tenant)).ToHashSet();

    public IReadOnlyCollection<AgentIdentity> Agents => _agents;

    public IReadOnlyList<string> Tenants { get; } = options.Value.Agents.Select(a => a.Tenant).Distinct(StringComparer.Ordinal).ToList();

    public bool IsConfigured(AgentIdentity agent) => _agents.Contains(agent);
}
