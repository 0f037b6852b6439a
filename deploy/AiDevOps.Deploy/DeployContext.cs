using Amazon.CDK;

namespace AiDevOps.Deploy;

/// <summary>What <c>cdk … -c name=value</c> (or cdk.json) gives the app, checked, with the option named when it is wrong.</summary>
public sealed record DeployContext(string? ManifestPath, string AppHostProject, string Region, string? Account, string? GitHubRepository, PlatformSettings Settings)
{
    public static DeployContext From(App app)
    {
        string? Get(string key) => app.Node.TryGetContext(key) is string { Length: > 0 } value ? value : null;
        var region = Get("region") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION") ?? System.Environment.GetEnvironmentVariable("AWS_REGION")
            ?? throw new ArgumentException("No AWS region: give one with -c region=<region>, AWS_REGION or an AWS profile.");
        var imageTag = Get("imageTag") ?? "latest";
        if (!System.Text.RegularExpressions.Regex.IsMatch(imageTag, "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"))
            throw new ArgumentException($"imageTag '{imageTag}' is not an image tag (letters, digits, '_', '.', '-'; at most 128).");
        var certificate = Get("certificateArn");
        if (certificate is not null && !certificate.StartsWith("arn:", StringComparison.Ordinal))
            throw new ArgumentException($"certificateArn '{certificate}' must be an ACM certificate ARN (arn:aws:acm:…).");
        return new DeployContext(
            ManifestPath: Get("manifest"),
            AppHostProject: Get("appHost") ?? Path.Combine("..", "AiDevOps.AppHost"),
            Region: region,
            Account: Get("account") ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_ACCOUNT"),
            GitHubRepository: Get("githubRepository"),
            Settings: new PlatformSettings { ImageTag = imageTag, CertificateArn = certificate });
    }
}
