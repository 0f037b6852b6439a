using System.Security.Cryptography;
using System.Text;

namespace AiDevOps.Contracts;

/// <summary>
/// Keys are configured and compared only as their SHA-256, so neither the Brain (agent keys) nor the Agent (its
/// receiver's key) ever holds a plain key it checks.
/// </summary>
public static class ApiKeyHash
{
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string HexOf(string key) => Convert.ToHexStringLower(Of(key));

    public static bool IsValidHex(string? hex) => hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit);
}
