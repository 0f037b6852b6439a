using System.Text.Json;

namespace AiDevOps.Deploy.Tests;

/// <summary>
/// The manifest the AppHost publishes for Azure (<c>AiDevOps:Cloud=azure</c>), as azd reads it to make Container Apps:
/// only resource types azd knows, the Brain on Azure Tables, every secret a secret parameter, nothing of AWS.
/// </summary>
[Collection(DeploymentTests.Name)]
public sealed class AzureManifestTests(DeploymentFixture fixture)
{
    private static readonly string[] AzdTypes = ["project.v0", "parameter.v0"];

    [Fact]
    public void The_azure_manifest_holds_only_what_azd_deploys_and_runs_the_brain_on_azure_tables()
    {
        using var manifest = JsonDocument.Parse(fixture.AzureManifestJson);
        var resources = manifest.RootElement.GetProperty("resources").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);

        Assert.All(resources, r => Assert.Contains(r.Value.GetProperty("type").GetString(), AzdTypes));
        Assert.Equal(["brain", "insights", "web"], resources.Where(r => r.Value.GetProperty("type").GetString() == "project.v0").Select(r => r.Key).Order());

        var brain = resources["brain"].GetProperty("env").EnumerateObject().ToDictionary(e => e.Name, e => e.Value.GetString());
        Assert.Equal("azuretables", brain["Storage__Backend"]);
        Assert.Equal("{tables.connectionString}", brain["ConnectionStrings__tables"]);
        Assert.Equal("{secrets-key.value}", brain["Secrets__LocalKey"]);
        Assert.Equal("/home/app/models", brain["Detection__ModelPath"]);
        Assert.DoesNotContain(brain.Keys, k => k is "Secrets__KmsKeyId" or "Detection__ModelBucket");
        Assert.DoesNotContain("outputs.", fixture.AzureManifestJson, StringComparison.Ordinal);

        // Connection string, sealing key, key hashes: secrets azd keeps in Key Vault / Container Apps secrets.
        foreach (var secret in new[] { "tables", "secrets-key", "agent-api-key-sha256", "insights-key" })
            Assert.True(resources[secret].GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), secret);
        Assert.True(resources["brain"].GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
    }

    [Fact]
    public void The_aws_manifest_is_the_default_and_an_unknown_cloud_is_named()
    {
        Assert.Contains("aidevops.dynamodb-tables.v0", fixture.ManifestJson, StringComparison.Ordinal);
        Assert.DoesNotContain("azuretables", fixture.ManifestJson, StringComparison.Ordinal);

        var error = Assert.Throws<AppModel.ManifestException>(() => fixture.PublishManifest("--AiDevOps:Cloud", "gcp"));
        Assert.Contains("AiDevOps:Cloud 'gcp' must be 'aws' or 'azure'", error.Message, StringComparison.Ordinal);
    }
}
