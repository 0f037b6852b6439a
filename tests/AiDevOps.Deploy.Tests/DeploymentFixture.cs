using System.Reflection;
using AiDevOps.Deploy;
using AiDevOps.Deploy.AppModel;
using AiDevOps.Testing;
using Amazon.CDK;

namespace AiDevOps.Deploy.Tests;

/// <summary>
/// The AppHost's real publish manifest (the AppHost run with <c>--publisher manifest</c>, as <c>cdk deploy</c> does), and
/// jsii's scratch files kept in a folder of the run's own (≈ 66 MB a process) and removed afterwards.
/// </summary>
public sealed class DeploymentFixture : IDisposable
{
    private readonly string _scratch = Path.Combine(RepositoryRoot.Path, ".aidevops", "tmp", "deploy-tests-" + System.Environment.ProcessId);
    private readonly Lazy<string> _azureManifestJson;

    public DeploymentFixture()
    {
        Directory.CreateDirectory(_scratch);
        // jsii unpacks its runtime under the temp folder; .NET reads TMPDIR at each call.
        System.Environment.SetEnvironmentVariable("TMPDIR", Path.Combine(_scratch, "tmp"));
        Directory.CreateDirectory(Path.Combine(_scratch, "tmp"));
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1");
        ManifestJson = PublishManifest();
        Manifest = AppManifest.Parse(ManifestJson);
        _azureManifestJson = new Lazy<string>(() => PublishManifest("--AiDevOps:Cloud", "azure"));
    }

    public string ManifestJson { get; }

    /// <summary>The manifest published for Azure, which azd turns into Container Apps.</summary>
    public string AzureManifestJson => _azureManifestJson.Value;

    public AppManifest Manifest { get; }

    public string NewFolder(string name)
    {
        var folder = Path.Combine(_scratch, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static PlatformStack Platform(AppManifest manifest, PlatformSettings? settings = null, App? app = null) =>
        new(app ?? new App(), "AiDevOps", manifest, settings ?? new PlatformSettings { ImageTag = "1.2.3" },
            new StackProps { Env = new Amazon.CDK.Environment { Region = "eu-west-1" } });

    public string PublishManifest(params string[] appHostArgs)
    {
        var appHost = typeof(DeploymentFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AppHostAssembly").Value!;
        var output = NewFolder("manifest");
        AppManifest.Publish(appHost, output, appHostArgs);
        return File.ReadAllText(Path.Combine(output, "aspire-manifest.json"));
    }

    /// <summary>cdk-nag (npm) on templates: its exit code and what it printed. Installs deploy/nag's locked packages on first use.</summary>
    public static (int ExitCode, string Output) Nag(params string[] templates)
    {
        var nag = Path.Combine(RepositoryRoot.Path, "deploy", "nag");
        if (!Directory.Exists(Path.Combine(nag, "node_modules", "cdk-nag")))
            ProgramRun.Checked("npm", ["ci", "--no-audit", "--no-fund", "--loglevel", "error"], nag, TimeSpan.FromMinutes(10));
        return ProgramRun.Run("node", ["nag.mjs", .. templates], nag, TimeSpan.FromMinutes(5));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // jsii's node may still hold a file for a moment; the folder is git-ignored scratch.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DeploymentTests : ICollectionFixture<DeploymentFixture>
{
    public const string Name = "deployment";
}
