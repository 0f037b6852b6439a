using System.Globalization;
using System.Reflection;

namespace AiDevOps.Contracts;

/// <summary>
/// What an agent says of itself with every delivery, so the Brain (and its Web UI) shows each agent's version and
/// how much it still has queued: its <c>User-Agent</c> (<c>AiDevOps-Agent/1.4.0+abc1234</c>) and a header with the
/// samples waiting in its durable queue behind this delivery (0 when it is keeping up).
/// </summary>
public static class AgentHeaders
{
    public const string Product = "AiDevOps-Agent";
    public const string QueuedSamples = "X-AiDevOps-Queued-Samples";
    private const int MaxVersionLength = 64;

    /// <summary>This build's version, with its commit shortened: what an agent sends as its product version.</summary>
    public static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    /// <summary>The agent's version from a User-Agent header; null for any other client, or a value that is no version.</summary>
    public static string? Version(string? userAgent)
    {
        var prefix = Product + "/";
        if (userAgent is null || !userAgent.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var version = userAgent[prefix.Length..].Split(' ')[0];
        return version.Length is > 0 and <= MaxVersionLength && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+')
            ? version
            : null;
    }

    /// <summary>The queued samples an agent reported; null when absent or not a count.</summary>
    public static long? Queued(string? header) =>
        long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var queued) ? queued : null;
}
