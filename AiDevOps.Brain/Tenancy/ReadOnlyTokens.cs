using System.Collections.Concurrent;
using System.Security.Cryptography;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Tenancy;

/// <summary>
/// Short-lived bearer tokens that read one tenant's data and change nothing: what the Brain hands Insights with an
/// incident, so the model's tools can look further (a series, the host's anomalies, past incidents) and no further.
/// A token is random, kept only as its hash, valid for GET requests only and until it expires.
/// </summary>
public sealed class ReadOnlyTokens(TimeProvider clock)
{
    /// <summary>The identity a token's requests run as; its tenant is the token's.</summary>
    public const string Reader = "insights";

    private readonly ConcurrentDictionary<string, (string Tenant, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);

    public (string Token, DateTimeOffset ExpiresAt) Issue(string tenant, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        foreach (var (hash, (_, expiresAt)) in _tokens)
        {
            if (expiresAt <= now)
                _tokens.TryRemove(hash, out _);
        }
        var token = "ro_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var expires = now + lifetime;
        _tokens[Convert.ToHexString(ApiKeyHash.Of(token))] = (tenant, expires);
        return (token, expires);
    }

    /// <summary>The tenant a live token reads; null for anything else.</summary>
    public AgentIdentity? Authenticate(string token) =>
        _tokens.TryGetValue(Convert.ToHexString(ApiKeyHash.Of(token)), out var issued) && issued.ExpiresAt > clock.GetUtcNow()
            ? new AgentIdentity(Reader, issued.Tenant)
            : null;
}
