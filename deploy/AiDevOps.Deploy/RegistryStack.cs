using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace AiDevOps.Deploy;

/// <summary>
/// What exists before the platform: the image repositories the Images workflow pushes to (<c>aidevops-&lt;service&gt;</c>),
/// and, given the GitHub repository, the OIDC roles its workflows assume: one pushes images on version tags, one
/// compares a pull request with what is deployed (read-only), one deploys from the <c>production</c> environment
/// (which holds the manual approval).
/// </summary>
public sealed class RegistryStack : Stack
{
    public RegistryStack(Construct scope, string id, IEnumerable<string> services, string? gitHubRepository, IStackProps? props = null)
        : base(scope, id, props)
    {
        Repositories = services.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(service => new Repository(this, "Repository-" + service, new RepositoryProps
        {
            RepositoryName = "aidevops-" + service,
            ImageScanOnPush = true,
            // Releases move latest; a version tag is never pushed twice by the workflow.
            ImageTagMutability = TagMutability.MUTABLE,
            LifecycleRules = [new LifecycleRule { TagStatus = TagStatus.UNTAGGED, MaxImageAge = Duration.Days(14) }],
            RemovalPolicy = RemovalPolicy.RETAIN,
        })).ToList();

        if (gitHubRepository is not { Length: > 0 })
            return;
        if (gitHubRepository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            throw new ArgumentException($"githubRepository '{gitHubRepository}' must be owner/name.", nameof(gitHubRepository));

        var provider = new CfnOIDCProvider(this, "GitHubOidc", new CfnOIDCProviderProps
        {
            Url = "https://token.actions.githubusercontent.com",
            ClientIdList = ["sts.amazonaws.com"],
        });
        var images = GitHubRole("ImagesRole", provider, $"repo:{gitHubRepository}:ref:refs/tags/v*", "Pushes release images (Images workflow).");
        foreach (var repository in Repositories)
            repository.GrantPush(images);
        Nag.Suppress(images.Node.TryFindChild("DefaultPolicy")!, "IAM5",
            "ecr:GetAuthorizationToken has no resource-level permissions; pushes are granted per repository.", "Resource::*");

        var deploy = GitHubRole("DeployRole", provider, $"repo:{gitHubRepository}:environment:production", "Deploys the platform (Deploy workflow, production environment).");
        // CDK deploys by assuming its bootstrap roles (deploy, file publishing, lookup) in this account.
        deploy.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["sts:AssumeRole"],
            Resources = [$"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/cdk-hnb659fds-*-{Aws.ACCOUNT_ID}-{Aws.REGION}"],
        }));
        Nag.Suppress(deploy.Node.TryFindChild("DefaultPolicy")!, "IAM5",
            "The CDK bootstrap roles of this account and region (deploy, publishing, lookup) share one name pattern.",
            "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-*-<AWS::AccountId>-<AWS::Region>");
        var diff = GitHubRole("DiffRole", provider, $"repo:{gitHubRepository}:pull_request", "Compares a pull request's stacks with what is deployed (Deploy workflow).");
        // cdk diff reads the deployed templates through the bootstrap lookup role, which is read-only.
        diff.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["sts:AssumeRole"],
            Resources = [$"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/cdk-hnb659fds-lookup-role-{Aws.ACCOUNT_ID}-{Aws.REGION}"],
        }));
        new CfnOutput(this, "DiffRoleArn", new CfnOutputProps { Value = diff.RoleArn, Description = "The AWS_DIFF_ROLE_ARN secret of the GitHub repository." });
        new CfnOutput(this, "ImagesRoleArn", new CfnOutputProps { Value = images.RoleArn, Description = "The AWS_IMAGE_ROLE_ARN secret of the GitHub repository." });
        new CfnOutput(this, "DeployRoleArn", new CfnOutputProps { Value = deploy.RoleArn, Description = "The AWS_DEPLOY_ROLE_ARN secret of the GitHub repository." });
    }

    public IReadOnlyList<Repository> Repositories { get; }

    private Role GitHubRole(string id, CfnOIDCProvider provider, string subject, string description) =>
        new(this, id, new RoleProps
        {
            Description = description,
            MaxSessionDuration = Duration.Hours(1),
            AssumedBy = new WebIdentityPrincipal(provider.AttrArn, new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["token.actions.githubusercontent.com:aud"] = "sts.amazonaws.com" },
                ["StringLike"] = new Dictionary<string, object> { ["token.actions.githubusercontent.com:sub"] = subject },
            }),
        });
}
