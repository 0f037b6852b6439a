using AiDevOps.Deploy.AppModel;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace AiDevOps.Deploy.Tests;

/// <summary>cdk-nag's AwsSolutions rules on both synthesised stacks, and the errors a wrong model or context gets.</summary>
[Collection(DeploymentTests.Name)]
public sealed class NagAndModelTests(DeploymentFixture fixture)
{
    [Fact]
    public void Both_stacks_pass_the_aws_solutions_rules_with_every_suppression_justified()
    {
        var folder = fixture.NewFolder("cdk.out");
        var app = new App(new AppProps { Outdir = folder });
        DeploymentFixture.Platform(fixture.Manifest, new PlatformSettings { ImageTag = "1.2.3", CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/x" }, app);
        new RegistryStack(app, "AiDevOps-Registry", ["brain", "insights", "agent"], "acme/aidevops",
            new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });
        app.Synth();

        var (exitCode, output) = DeploymentFixture.Nag(Path.Combine(folder, "AiDevOps.template.json"), Path.Combine(folder, "AiDevOps-Registry.template.json"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("AiDevOps.template.json: 0 unsuppressed errors", output);
        Assert.Contains("AiDevOps-Registry.template.json: 0 unsuppressed errors", output);
    }

    [Fact]
    public void An_unjustified_wildcard_fails_the_rules()
    {
        var folder = fixture.NewFolder("cdk.out");
        var app = new App(new AppProps { Outdir = folder });
        var stack = DeploymentFixture.Platform(fixture.Manifest, app: app);
        stack.Services.Single(s => s.Name == "insights").TaskDefinition.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject"],
            Resources = ["*"],
        }));
        app.Synth();

        var (exitCode, output) = DeploymentFixture.Nag(Path.Combine(folder, "AiDevOps.template.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("AwsSolutions-IAM5[Resource::*] at insightsTaskTaskRoleDefaultPolicy", output);
    }

    [Fact]
    public void The_github_roles_trust_only_this_repositorys_tags_pull_requests_and_production_environment()
    {
        var stack = new RegistryStack(new App(), "AiDevOps-Registry", ["brain", "agent"], "acme/aidevops");
        var json = System.Text.Json.JsonSerializer.Serialize(Amazon.CDK.Assertions.Template.FromStack(stack).ToJSON());
        Assert.Contains("repo:acme/aidevops:ref:refs/tags/v*", json);
        Assert.Contains("repo:acme/aidevops:environment:production", json);
        Assert.Contains("repo:acme/aidevops:pull_request", json);
        Assert.Contains("cdk-hnb659fds-lookup-role-", json);
        Assert.Contains("\"RepositoryName\":\"aidevops-agent\"", json);
        Assert.Contains("\"ScanOnPush\":true", json);
        Assert.Throws<ArgumentException>(() => new RegistryStack(new App(), "R", ["brain"], "not-a-repository"));
    }

    [Fact]
    public void A_reference_the_deployment_cannot_provide_is_refused_naming_the_service_and_setting()
    {
        var manifest = AppManifest.Parse(fixture.ManifestJson.Replace("\"Storage__TablePrefix\": \"{tables.outputs.prefix}\"",
            "\"Storage__TablePrefix\": \"{tables.outputs.name}\"", StringComparison.Ordinal));
        var error = Assert.Throws<ManifestException>(() => DeploymentFixture.Platform(manifest));
        Assert.Contains("tables.outputs.name", error.Message);

        var embedded = AppManifest.Parse(fixture.ManifestJson.Replace("\"{insights-key.value}\"", "\"Bearer {insights-key.value}\"", StringComparison.Ordinal));
        error = Assert.Throws<ManifestException>(() => DeploymentFixture.Platform(embedded));
        Assert.Contains("brain: setting Alerting__InsightsApiKey", error.Message);
        Assert.Contains("secret", error.Message);

        var unknown = AppManifest.Parse(fixture.ManifestJson.Replace("\"{brain.bindings.http.url}\"", "\"{queue.bindings.http.url}\"", StringComparison.Ordinal));
        error = Assert.Throws<ManifestException>(() => DeploymentFixture.Platform(unknown));
        Assert.Contains("no resource is named 'queue'", error.Message);

        error = Assert.Throws<ManifestException>(() => AppManifest.Parse("""{"resources":{"cache":{"type":"container.v0","image":"redis"}}}"""));
        Assert.Contains("'cache' has type 'container.v0'", error.Message);
    }

    [Fact]
    public void The_published_model_has_no_local_stand_ins_and_no_local_paths()
    {
        Assert.Equal(["brain", "insights", "web"], fixture.Manifest.Services.Select(s => s.Name).Order());
        Assert.Equal(["models", "secrets-key", "tables"], fixture.Manifest.CloudResources.Keys.Order());
        Assert.DoesNotContain("dynalite", fixture.ManifestJson, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(".aidevops", fixture.ManifestJson, StringComparison.Ordinal);
        Assert.DoesNotContain("executable.v0", fixture.ManifestJson, StringComparison.Ordinal);
        // Key hashes are secrets of their own, never a hash computed from a key generated at publish time.
        var brain = fixture.Manifest.Services.Single(s => s.Name == "brain");
        Assert.Equal("{agent-api-key-sha256.value}", brain.Environment["Ingest__Agents__0__KeySha256"]);
        Assert.True(fixture.Manifest.Parameters["agent-api-key-sha256"].Secret);
        Assert.True(brain.IsExternal);
        Assert.False(fixture.Manifest.Services.Single(s => s.Name == "insights").IsExternal);
        Assert.True(fixture.Manifest.Services.Single(s => s.Name == "web").IsExternal);
    }
}
