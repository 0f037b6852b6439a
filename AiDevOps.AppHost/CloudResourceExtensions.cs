namespace Aspire.Hosting;

/// <summary>
/// What the services need from a cloud once the app is published (<c>--publisher manifest</c>) rather than run: the
/// tables, a place for detector models, the key that seals receiver secrets. For AWS (the default) each is written to
/// the manifest as a type of its own, and a service reads its outputs (<c>{models.outputs.bucketName}</c>) through its
/// settings; deploy/ turns each into the cloud's resource and grants a service exactly what it reads. For Azure
/// (<c>AiDevOps:Cloud=azure</c>) the manifest holds only what azd turns into Container Apps by itself: the Azure
/// Tables connection string and the sealing key as secret parameters. A local run uses stand-ins instead (dynalite,
/// a folder, a key file), so none of these is added then.
/// </summary>
public static class CloudResourceExtensions
{
    public const string DynamoDbTablesType = "aidevops.dynamodb-tables.v0";
    public const string ModelBucketType = "aidevops.s3-bucket.v0";
    public const string SecretsKeyType = "aidevops.kms-key.v0";
    public const string CloudSetting = "AiDevOps:Cloud";

    /// <summary>Models on Azure: in the service's home folder, where an Azure Files share is mounted to keep them.</summary>
    public const string AzureModelPath = "/home/app/models";

    /// <summary>The Brain's storage: a local DynamoDB when run, the cloud's tables (named by their prefix) when published.</summary>
    public static IResourceBuilder<ProjectResource> WithStorage(this IResourceBuilder<ProjectResource> brain, string tablePrefix)
    {
        var builder = brain.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode)
        {
            var dynamodb = builder.AddDynamoDbLocal("dynamodb");
            return brain.WithReference(dynamodb).WaitFor(dynamodb);
        }
        if (builder.PublishesFor() == TargetCloud.Azure)
        {
            return brain.WithReference(builder.AddConnectionString("tables"))
                .WithEnvironment("Storage__Backend", "azuretables")
                .WithEnvironment("Storage__TablePrefix", tablePrefix);
        }
        var tables = builder.AddResource(new CloudResource("tables", DynamoDbTablesType, new() { ["prefix"] = tablePrefix }));
        return brain.WithEnvironment("Storage__TablePrefix", tables.Resource.Output("prefix"));
    }

    /// <summary>Where detector models are kept: a local folder when run, an S3 bucket when published.</summary>
    public static IResourceBuilder<ProjectResource> WithModelStore(this IResourceBuilder<ProjectResource> brain)
    {
        var builder = brain.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode)
            return brain.WithEnvironment("Detection__ModelPath", builder.Configuration.LocalPath("AiDevOps:Brain:ModelPath", builder.AppHostDirectory));
        if (builder.PublishesFor() == TargetCloud.Azure)
            return brain.WithEnvironment("Detection__ModelPath", AzureModelPath);
        var bucket = builder.AddResource(new CloudResource("models", ModelBucketType, []));
        return brain.WithEnvironment("Detection__ModelBucket", bucket.Resource.Output("bucketName"));
    }

    /// <summary>What seals receiver secrets at rest: a local key file when run, a KMS key when published.</summary>
    public static IResourceBuilder<ProjectResource> WithSecretsKey(this IResourceBuilder<ProjectResource> brain)
    {
        var builder = brain.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode)
            return brain.WithEnvironment("Secrets__LocalKeyPath", builder.Configuration.LocalPath("AiDevOps:Brain:SecretsKeyPath", builder.AppHostDirectory));
        // Azure has no KMS here: the key itself, a secret of the deployment's (a container's disk does not outlive it).
        if (builder.PublishesFor() == TargetCloud.Azure)
            return brain.WithEnvironment("Secrets__LocalKey", builder.AddParameter("secrets-key", secret: true));
        var key = builder.AddResource(new CloudResource("secrets-key", SecretsKeyType, []));
        return brain.WithEnvironment("Secrets__KmsKeyId", key.Resource.Output("keyArn"));
    }

    /// <summary>The cloud a publish is for, from <c>AiDevOps:Cloud</c>: <c>aws</c> (the default) or <c>azure</c>.</summary>
    public static TargetCloud PublishesFor(this IDistributedApplicationBuilder builder) => builder.Configuration[CloudSetting] switch
    {
        null or "" or "aws" => TargetCloud.Aws,
        "azure" => TargetCloud.Azure,
        var other => throw new DistributedApplicationException($"{CloudSetting} '{other}' must be 'aws' or 'azure'."),
    };
}

/// <summary>Where a published app runs: AWS through deploy/ (CDK), or Azure Container Apps through azd.</summary>
public enum TargetCloud
{
    Aws,
    Azure,
}

/// <summary>A resource the cloud deployment creates; in the manifest as its type and properties.</summary>
public sealed class CloudResource : Resource
{
    public CloudResource(string name, string type, Dictionary<string, string> properties) : base(name)
    {
        Type = type;
        Properties = properties;
        Annotations.Add(new ManifestPublishingCallbackAnnotation(context =>
        {
            context.Writer.WriteString("type", Type);
            foreach (var (key, value) in Properties)
                context.Writer.WriteString(key, value);
        }));
    }

    public string Type { get; }

    public IReadOnlyDictionary<string, string> Properties { get; }

    public CloudOutput Output(string name) => new(this, name);
}

/// <summary>A value the cloud resource has once deployed (a bucket's name, a key's ARN): an expression in the manifest.</summary>
public sealed class CloudOutput(CloudResource resource, string name) : IManifestExpressionProvider, IValueProvider, IValueWithReferences
{
    public string ValueExpression => $"{{{resource.Name}.outputs.{name}}}";

    public IEnumerable<object> References => [resource];

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
        throw new DistributedApplicationException($"{resource.Name}.{name} has a value only once the app is deployed to a cloud.");
}
