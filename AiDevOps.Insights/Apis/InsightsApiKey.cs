namespace AiDevOps.Insights.Apis;

/// <summary>
/// Insights' APIs take evidence and spend model calls (money), so they answer only a caller with the key: the Brain,
/// configured with <c>Alerting:InsightsApiKey</c>. The AppHost generates the key and hands each side its part.
/// </summary>
public static class InsightsApiKey
{
    /// <summary>The SHA-256 (hex) of the key callers present as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public const string Setting = "Insights:ApiKeySha256";
}
