using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Storage;

/// <summary>How receiver secrets are sealed at rest: a KMS key on AWS, else a key of the Brain's own.</summary>
public sealed class SecretsOptions : IValidatableObject
{
    public const string Section = "Secrets";

    /// <summary>The KMS key (id, ARN or alias) that wraps the data keys; set on AWS.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>
    /// Without a KMS key: the master key itself, base64 of 32 bytes, from a secret store (Azure, where the container's
    /// disk does not outlive it). Takes the place of <see cref="LocalKeyPath"/>.
    /// </summary>
    public string? LocalKey { get; set; }

    /// <summary>The local master key's file when neither a KMS key nor a key is set; made on first use, readable by its owner only.</summary>
    public string LocalKeyPath { get; set; } = Path.Combine(".aidevops", "brain-secrets.key");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The value is a secret: the message says what is wrong with it, never what it is.
        if (LocalKey is { Length: > 0 } key && DecodedLength(key) != LocalKeyWrapper.KeySize)
            yield return new ValidationResult(
                $"{Section}:LocalKey must be the base64 of {LocalKeyWrapper.KeySize} random bytes (openssl rand -base64 {LocalKeyWrapper.KeySize}).",
                [nameof(LocalKey)]);
    }

    private static int DecodedLength(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? written : -1;
    }
}
