using AiDevOps.Storage;
using AiDevOps.Testing;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiDevOps.Storage.Tests;

/// <summary>A real backend started once per test class; every test builds stores on it with its own tenants.</summary>
public interface IStorageBackend : IAsyncLifetime
{
    IKeyValueTable Table(TimeProvider clock);
}

public sealed class DynaliteBackend : IStorageBackend, IDisposable
{
    private DynaliteServer _server = null!;
    private AmazonDynamoDBClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await DynaliteServer.StartAsync();
        _client = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
            new AmazonDynamoDBConfig { ServiceURL = _server.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
    }

    public IKeyValueTable Table(TimeProvider clock) =>
        new DynamoDbTable(_client, new BatchWriter(_client), clock, NullLogger<DynamoDbTable>.Instance);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _client.Dispose();
}

public sealed class AzuriteBackend : IStorageBackend
{
    private AzuriteServer _server = null!;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public IKeyValueTable Table(TimeProvider clock) => new AzureTablesTable(new TableServiceClient(_server.ConnectionString), clock);

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
