using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Apis;

/// <summary>Checks the key a remote_write sender presents against the SHA-256 the Agent is configured with, in constant time.</summary>
public static class ReceiverKey
{
    /// <summary>Why a write is refused (said to the sender, never naming the key), or null when its key is right.</summary>
    public static string? Refusal(string? authorization, string? keySha256)
    {
        if (string.IsNullOrEmpty(keySha256))
            return "This Agent's remote_write receiver takes no writes until Agent:Receiver:KeySha256 is set (the SHA-256 of the key "
                + "senders present as 'authorization: credentials: <key>' or as the basic-auth password in remote_write).";
        if (Presented(authorization) is not { Length: > 0 } key)
            return "Send the receiver's key as 'Authorization: Bearer <key>' or as the basic-auth password.";
        return CryptographicOperations.FixedTimeEquals(ApiKeyHash.Of(key), Convert.FromHexString(keySha256))
            ? null
            : "The receiver key is not valid.";
    }

    private static string? Presented(string? authorization)
    {
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header) || header.Parameter is not { } parameter)
            return null;
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return parameter.Trim();
        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : credentials[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
