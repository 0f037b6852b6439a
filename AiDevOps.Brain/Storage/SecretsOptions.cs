namespace AiDevOps.Brain.Storage;

/// <summary>How receiver secrets are sealed at rest: a KMS key on AWS, else a local key file.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>The KMS key (id, ARN or alias) that wraps the data keys; set on AWS.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The local master key's file when no KMS key is set; made on first use, readable by its owner only.</summary>
    public string LocalKeyPath { get; set; } = Path.Combine(".aidevops", "brain-secrets.key");
}
