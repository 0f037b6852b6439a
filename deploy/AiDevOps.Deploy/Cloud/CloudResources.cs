using AiDevOps.Deploy.AppModel;
using AiDevOps.Storage;
using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace AiDevOps.Deploy.Cloud;

/// <summary>
/// A resource of the app that AWS provides, made from its model in the manifest. A service that reads one of its
/// outputs is granted what that resource's users need, on that resource only.
/// </summary>
public interface ICloudResource
{
    string Output(string name);

    void GrantTo(IGrantable service);
}

public static class CloudResources
{
    /// <summary>The types the AppHost writes for the resources a deployment provides (its CloudResourceExtensions).</summary>
    public const string DynamoDbTablesType = "aidevops.dynamodb-tables.v0";
    public const string ModelBucketType = "aidevops.s3-bucket.v0";
    public const string SecretsKeyType = "aidevops.kms-key.v0";

    public static ICloudResource Create(Construct scope, CloudResourceModel model, IBucket accessLogs) => model.Type switch
    {
        DynamoDbTablesType => new DataTables(scope, model),
        ModelBucketType => new ModelBucket(scope, model, accessLogs),
        SecretsKeyType => new SecretsKey(scope, model),
        _ => throw new ManifestException($"Resource '{model.Name}' has type '{model.Type}', which this deployment does not provide."),
    };

    internal static ManifestException UnknownOutput(CloudResourceModel resource, string output) =>
        new($"'{{{resource.Name}.outputs.{output}}}' names an output that {resource.Type} '{resource.Name}' does not have.");
}

/// <summary>
/// The Brain's tables (<see cref="StorageOptions.DataTable"/>, <see cref="StorageOptions.AlertConfigsTable"/>), with
/// the key schema and TTL attribute the storage code uses: on demand, point-in-time recovery, deletion protection,
/// kept when the stack goes.
/// </summary>
public sealed class DataTables : ICloudResource
{
    /// <summary>What the Brain calls (AiDevOps.Storage's DynamoDbTable and BatchWriter), and nothing more.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:GetItem", "dynamodb:Query",
        "dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
    ];

    private readonly CloudResourceModel _model;
    private readonly string _prefix;
    private readonly Table[] _tables;

    public DataTables(Construct scope, CloudResourceModel model)
    {
        _model = model;
        _prefix = model.Properties.TryGetValue("prefix", out var prefix) && !string.IsNullOrEmpty(prefix)
            ? prefix
            : throw new ManifestException($"Resource '{model.Name}' ({model.Type}) needs a \"prefix\".");
        var options = new StorageOptions { TablePrefix = _prefix };
        _tables = [Table(scope, "DataTable", options.DataTable), Table(scope, "AlertConfigsTable", options.AlertConfigsTable)];
    }

    public IReadOnlyList<Table> Tables => _tables;

    public string Output(string name) => name == "prefix" ? _prefix : throw CloudResources.UnknownOutput(_model, name);

    public void GrantTo(IGrantable service) =>
        service.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = [.. Actions],
            Resources = _tables.Select(t => t.TableArn).ToArray(),
        }));

    private static Table Table(Construct scope, string id, string name) => new(scope, id, new TableProps
    {
        TableName = name,
        PartitionKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = DataKeys.PartitionKey, Type = AttributeType.STRING },
        SortKey = new Amazon.CDK.AWS.DynamoDB.Attribute { Name = DataKeys.SortKey, Type = AttributeType.STRING },
        BillingMode = BillingMode.PAY_PER_REQUEST,
        PointInTimeRecovery = true,
        TimeToLiveAttribute = DynamoDbTable.ExpiryAttribute,
        DeletionProtection = true,
        Encryption = TableEncryption.AWS_MANAGED,
        RemovalPolicy = RemovalPolicy.RETAIN,
    });
}

/// <summary>
/// Detector models: encrypted, versioned, never public, TLS only, access logged; the Brain reads and writes the objects
/// under one prefix, one object per agent.
/// </summary>
public sealed class ModelBucket : ICloudResource
{
    /// <summary>Where the Brain keeps each agent's models (its Detection ModelFile.Prefix; a test holds the two equal).</summary>
    public const string ModelPrefix = "detector-models/";

    private readonly CloudResourceModel _model;

    public ModelBucket(Construct scope, CloudResourceModel model, IBucket accessLogs)
    {
        _model = model;
        Bucket = new Bucket(scope, "ModelBucket", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            Versioned = true,
            ServerAccessLogsBucket = accessLogs,
            ServerAccessLogsPrefix = model.Name + "/",
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    public Bucket Bucket { get; }

    public string Output(string name) => name == "bucketName" ? Bucket.BucketName : throw CloudResources.UnknownOutput(_model, name);

    public void GrantTo(IGrantable service)
    {
        service.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject", "s3:PutObject"],
            Resources = [Bucket.ArnForObjects(ModelPrefix + "*")],
        }));
        // Without ListBucket, S3 answers a missing object (an agent's first start) with 403 rather than 404.
        service.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:ListBucket"],
            Resources = [Bucket.BucketArn],
            Conditions = new Dictionary<string, object> { ["StringLike"] = new Dictionary<string, object> { ["s3:prefix"] = ModelPrefix + "*" } },
        }));
        if (service.GrantPrincipal is IConstruct role && role.Node.TryFindChild("DefaultPolicy") is { } policy)
        {
            Nag.Suppress(policy, "IAM5", "One model object per agent under the models prefix; agents are configured at run time, so the objects cannot be named here.",
                $"Resource::<{Nag.LogicalIdOf(Bucket)}.Arn>/{ModelPrefix}*");
        }
    }
}

/// <summary>The KMS key that wraps the data keys sealing receiver secrets (bot tokens, webhook URLs); rotated yearly.</summary>
public sealed class SecretsKey : ICloudResource
{
    private readonly CloudResourceModel _model;

    public SecretsKey(Construct scope, CloudResourceModel model)
    {
        _model = model;
        Key = new Key(scope, "SecretsKey", new KeyProps
        {
            Description = $"AiDevOps {model.Name}: seals receiver secrets at rest",
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    public Key Key { get; }

    public string Output(string name) => name == "keyArn" ? Key.KeyArn : throw CloudResources.UnknownOutput(_model, name);

    public void GrantTo(IGrantable service) =>
        service.GrantPrincipal.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["kms:GenerateDataKey", "kms:Decrypt"],
            Resources = [Key.KeyArn],
        }));
}
