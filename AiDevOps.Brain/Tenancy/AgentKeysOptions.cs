using System.ComponentModel.DataAnnotations;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// The agents allowed to write, each with its tenant and the SHA-256 of its key: the Brain never holds a plain key.
/// Read from <c>Ingest:Agents</c>, where agents have always been configured.
/// </summary>
public sealed class AgentKeysOptions : IValidatableObject
{
    public const string Section = "Ingest";

    public List<AgentKeyOptions> Agents { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Agents.Count; i++)
        {
            var agent = Agents[i];
            var prefix = $"{Section}:Agents:{i}";
            if (string.IsNullOrWhiteSpace(agent.Id))
                yield return new ValidationResult($"{prefix}:Id is required.", [nameof(Agents)]);
            if (string.IsNullOrWhiteSpace(agent.Tenant) || !TenantNames.IsValid(agent.Tenant))
                yield return new ValidationResult(
                    $"{prefix}:Tenant '{agent.Tenant}' must be 1-64 characters of letters, digits, '-' or '_'.", [nameof(Agents)]);
            if (!ApiKeyHash.IsValidHex(agent.KeySha256))
                yield return new ValidationResult(
                    $"{prefix}:KeySha256 must be 64 hexadecimal characters (the SHA-256 of the agent's key).", [nameof(Agents)]);
        }
        foreach (var duplicate in Agents.GroupBy(a => a.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
            yield return new ValidationResult($"{Section}:Agents has the agent id '{duplicate.Key}' more than once.", [nameof(Agents)]);
    }
}

public sealed class AgentKeyOptions
{
    public string Id { get; set; } = "";
    public string Tenant { get; set; } = TenantNames.Default;
    public string KeySha256 { get; set; } = "";
}
