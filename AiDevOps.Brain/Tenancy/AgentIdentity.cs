namespace AiDevOps.Brain.Tenancy;

/// <summary>Who is calling: the agent a bearer key belongs to and the tenant whose data it may touch.</summary>
public sealed record AgentIdentity(string AgentId, string Tenant);

public static class TenantNames
{
    public const string Default = "default";

    public static bool IsValid(string tenant) =>
        tenant.Length is > 0 and <= 64 && tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
