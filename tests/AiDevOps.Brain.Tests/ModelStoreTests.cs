using AiDevOps.Brain.Detection;
using AiDevOps.Testing;
using Amazon.Runtime;
using Amazon.S3;

namespace AiDevOps.Brain.Tests;

/// <summary>Both model stores against what they really write to: a folder, and a real S3 stand-in (s3rver).</summary>
public sealed class ModelStoreTests : IAsyncLifetime
{
    private static readonly string Owner = DetectionKeys.Of(new AiDevOps.Brain.Tenancy.AgentIdentity("../edge 1", "acme"));

    private static readonly DetectorModel[] Models =
    [
        new("acme", "0011", "node_load1", 1_700_000_000_000, [1, 2, 3]),
        new("globex", "0022", "node_filesystem_avail_bytes", 1_700_000_015_000, new byte[2048]),
    ];

    private S3rverServer _s3 = null!;

    public async Task InitializeAsync() => _s3 = await S3rverServer.StartAsync("aidevops-models");

    public async Task DisposeAsync() => await _s3.DisposeAsync();

    private AmazonS3Client Client() => new(new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
        new AmazonS3Config { ServiceURL = _s3.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    [Fact]
    public async Task S3_keeps_the_models_and_a_save_replaces_the_previous_set()
    {
        using var client = Client();
        var store = new S3ModelStore(client, _s3.Bucket);
        Assert.Empty(await store.LoadAsync(Owner, CancellationToken.None));

        await store.SaveAsync(Owner, Models, CancellationToken.None);
        using var otherClient = Client();
        AssertSame(Models, await new S3ModelStore(otherClient, _s3.Bucket).LoadAsync(Owner, CancellationToken.None));

        await store.SaveAsync(Owner, [Models[1]], CancellationToken.None);
        AssertSame([Models[1]], await store.LoadAsync(Owner, CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_keeps_the_models_across_store_instances()
    {
        var folder = Path.Combine(Path.GetTempPath(), "aidevops-models-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Empty(await new FolderModelStore(folder).LoadAsync(Owner, CancellationToken.None));
            await new FolderModelStore(folder).SaveAsync(Owner, Models, CancellationToken.None);
            AssertSame(Models, await new FolderModelStore(folder).LoadAsync(Owner, CancellationToken.None));
            // Each agent's detection keeps its own object, inside the folder whatever the agent is called.
            Assert.Empty(await new FolderModelStore(folder).LoadAsync(DetectionKeys.Of(new AiDevOps.Brain.Tenancy.AgentIdentity("edge-2", "acme")), CancellationToken.None));
            Assert.Equal("acme", Path.GetFileName(Assert.Single(Directory.GetDirectories(Path.Combine(folder, "detector-models")))));
            Assert.Equal("acme/../edge 1", DetectionKeys.Parse(Owner) is var agent ? agent.Tenant + "/" + agent.AgentId : null);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_layout_reads_as_no_models_so_series_relearn()
    {
        Assert.Empty(ModelFile.Read([9, 9, 9, 9, 0, 0, 0, 0]));
        Assert.Empty(ModelFile.Read([]));
    }

    private static void AssertSame(DetectorModel[] expected, IReadOnlyList<DetectorModel> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i] with { Snapshot = [] }, actual[i] with { Snapshot = [] });
            Assert.Equal(expected[i].Snapshot, actual[i].Snapshot);
        }
    }
}
