using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace AiDevOps.Brain.Storage;

/// <summary>
/// Data keys wrapped by a master key of the Brain's own (AES-256-GCM), where no KMS is: in development a file of 32
/// random bytes, made on first use beside the Brain's other local state and readable by its owner only; in a cloud
/// without KMS the key itself, from that cloud's secret store.
/// </summary>
public sealed class LocalKeyWrapper : IKeyWrapper
{
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _master;
    private readonly string _setting;

    private LocalKeyWrapper(byte[] master, string setting)
    {
        _master = master;
        _setting = setting;
        KeyId = "local-" + Convert.ToHexStringLower(SHA256.HashData(_master).AsSpan(0, 6));
    }

    public static LocalKeyWrapper FromFile(string keyPath) => new(LoadOrCreate(keyPath), "Secrets:LocalKeyPath");

    /// <summary>A key given as base64 (<see cref="SecretsOptions.LocalKey"/>), already checked to be <see cref="KeySize"/> bytes.</summary>
    public static LocalKeyWrapper FromKey(string base64Key) => new(Convert.FromBase64String(base64Key), "Secrets:LocalKey");

    public string KeyId { get; }

    public Task<(byte[] DataKey, byte[] Wrapped)> NewDataKeyAsync(CancellationToken ct)
    {
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var wrapped = new byte[NonceSize + KeySize + TagSize];
        nonce.CopyTo(wrapped, 0);
        using (var aes = new AesGcm(_master, TagSize))
            aes.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, KeySize), wrapped.AsSpan(NonceSize + KeySize), Encoding.UTF8.GetBytes(KeyId));
        return Task.FromResult((dataKey, wrapped));
    }

    public Task<byte[]> UnwrapAsync(string keyId, byte[] wrapped, CancellationToken ct)
    {
        if (keyId != KeyId)
            throw new CryptographicException($"A secret was sealed under key {keyId}; this Brain has {KeyId} ({_setting}). Enter the receiver's secret again.");
        var dataKey = new byte[KeySize];
        using (var aes = new AesGcm(_master, TagSize))
            aes.Decrypt(wrapped.AsSpan(0, NonceSize), wrapped.AsSpan(NonceSize, KeySize), wrapped.AsSpan(NonceSize + KeySize), dataKey, Encoding.UTF8.GetBytes(KeyId));
        return Task.FromResult(dataKey);
    }

    private static byte[] LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            return existing.Length == KeySize
                ? existing
                : throw new InvalidOperationException($"Secrets:LocalKeyPath '{path}' holds {existing.Length} bytes, not a {KeySize}-byte key.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(KeySize);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            file.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another Brain on this machine made it first.
            return File.ReadAllBytes(path);
        }
    }
}

/// <summary>Data keys from AWS KMS (envelope encryption): the master key never leaves KMS.</summary>
public sealed class KmsKeyWrapper(IAmazonKeyManagementService kms, string masterKeyId) : IKeyWrapper
{
    public string KeyId => masterKeyId;

    public async Task<(byte[] DataKey, byte[] Wrapped)> NewDataKeyAsync(CancellationToken ct)
    {
        var key = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = masterKeyId, KeySpec = DataKeySpec.AES_256 }, ct);
        return (key.Plaintext.ToArray(), key.CiphertextBlob.ToArray());
    }

    public async Task<byte[]> UnwrapAsync(string keyId, byte[] wrapped, CancellationToken ct)
    {
        using var blob = new MemoryStream(wrapped);
        var key = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob, KeyId = keyId }, ct);
        return key.Plaintext.ToArray();
    }
}
