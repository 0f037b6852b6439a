using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Receiver secrets (bot tokens, webhook URLs, routing keys) are stored sealed, never as plain attributes: each is
/// encrypted with a fresh data key (AES-256-GCM), and the data key is stored wrapped by a master key — a KMS key on
/// AWS (<see cref="KmsKeyWrapper"/>), a local key in development (<see cref="LocalKeyWrapper"/>). What the table holds
/// reads as <c>sealed:v1:&lt;key id, base64&gt;:&lt;wrapped data key&gt;:&lt;nonce&gt;:&lt;ciphertext and tag&gt;</c>.
/// </summary>
public sealed class SecretSealer(IKeyWrapper wrapper)
{
    public const string Prefix = "sealed:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Receivers are read for every notification; a KMS round trip each time would be slow and billed.</summary>
    private const int MaxOpened = 10_000;
    private readonly ConcurrentDictionary<string, string> _opened = new(StringComparer.Ordinal);

    public static bool IsSealed(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    public async Task<string> SealAsync(string plain, CancellationToken ct)
    {
        var (dataKey, wrapped) = await wrapper.NewDataKeyAsync(ct);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var text = Encoding.UTF8.GetBytes(plain);
            var sealedText = new byte[text.Length + TagSize];
            using (var aes = new AesGcm(dataKey, TagSize))
                aes.Encrypt(nonce, text, sealedText.AsSpan(0, text.Length), sealedText.AsSpan(text.Length), Encoding.UTF8.GetBytes(wrapper.KeyId));
            var id = Convert.ToBase64String(Encoding.UTF8.GetBytes(wrapper.KeyId));
            return $"{Prefix}{id}:{Convert.ToBase64String(wrapped)}:{Convert.ToBase64String(nonce)}:{Convert.ToBase64String(sealedText)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The plain secret; a value stored before secrets were sealed is taken as it is.</summary>
    public async Task<string> OpenAsync(string stored, CancellationToken ct)
    {
        if (!IsSealed(stored))
            return stored;
        if (_opened.TryGetValue(stored, out var known))
            return known;
        var parts = stored[Prefix.Length..].Split(':');
        if (parts.Length != 4)
            throw new CryptographicException("A sealed secret has the wrong shape.");
        var keyId = Encoding.UTF8.GetString(Convert.FromBase64String(parts[0]));
        var (wrapped, nonce, sealedText) = (Convert.FromBase64String(parts[1]), Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
        var dataKey = await wrapper.UnwrapAsync(keyId, wrapped, ct);
        try
        {
            var text = new byte[sealedText.Length - TagSize];
            using (var aes = new AesGcm(dataKey, TagSize))
                aes.Decrypt(nonce, sealedText.AsSpan(0, text.Length), sealedText.AsSpan(text.Length), text, Encoding.UTF8.GetBytes(keyId));
            var plain = Encoding.UTF8.GetString(text);
            if (_opened.Count < MaxOpened)
                _opened[stored] = plain;
            return plain;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}

/// <summary>Makes and opens data keys under a master key that never leaves its keeper.</summary>
public interface IKeyWrapper
{
    /// <summary>Names the master key in what is sealed (a KMS key ARN or alias, or the local key's fingerprint).</summary>
    string KeyId { get; }

    Task<(byte[] DataKey, byte[] Wrapped)> NewDataKeyAsync(CancellationToken ct);

    Task<byte[]> UnwrapAsync(string keyId, byte[] wrapped, CancellationToken ct);
}
