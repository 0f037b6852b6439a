using AiDevOps.Deploy;
using AiDevOps.Deploy.AppModel;
using Amazon.CDK;

// cdk synth|diff|deploy from deploy/ (cdk.json); the app's model comes from publishing the AppHost, unless a manifest is given.
var app = new App();
var context = DeployContext.From(app);
var manifest = context.ManifestPath is { } path
    ? AppManifest.Load(path)
    : AppManifest.Publish(context.AppHostProject, Path.Combine(app.Outdir, "aspire"));
var environment = new Amazon.CDK.Environment { Account = context.Account, Region = context.Region };
new RegistryStack(app, "AiDevOps-Registry", manifest.Services.Select(s => s.Name).Append("agent"), context.GitHubRepository,
    new StackProps { Env = environment });
new PlatformStack(app, "AiDevOps", manifest, context.Settings, new StackProps { Env = environment });
app.Synth();
