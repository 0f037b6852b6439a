using System.Security.Cryptography;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;key&gt;</c> to an agent. Keys are kept only as SHA-256 hashes and compared in
/// constant time against every known agent, so neither a hit nor its position leaks through timing.
/// </summary>
public sealed class ApiKeyAuthenticator
{
    private const string Scheme = "Bearer ";
    private readonly (byte[] Hash, AgentIdentity Identity)[] _agents;

    public ApiKeyAuthenticator(IOptions<AgentKeysOptions> options)
    {
        _agents = options.Value.Agents
            .Select(a => (Convert.FromHexString(a.KeySha256), new AgentIdentity(a.Id, a.Tenant)))
            .ToArray();
    }

    public AgentIdentity? Authenticate(string? authorizationHeader)
    {
        if (authorizationHeader is null || !authorizationHeader.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        var key = authorizationHeader[Scheme.Length..].Trim();
        if (key.Length == 0)
            return null;

        var presented = ApiKeyHash.Of(key);
        AgentIdentity? match = null;
        foreach (var (hash, identity) in _agents)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
                match = identity;
        }
        return match;
    }
}
