using System.Net;
using AiDevOps.Brain.Ingest;
using AiDevOps.Brain.Storage;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// The real Brain on Kestrel, storing into a real dynalite (or, in <see cref="AzureTablesBrainFactory"/>, Azurite),
/// with two agents in two tenants.
/// </summary>
public class BrainFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AcmeKey = "acme-agent-key";
    public const string GlobexKey = "globex-agent-key";
    public const long MaxBodyBytes = 64 * 1024;

    private IAsyncDisposable _storage = null!;
    private readonly Dictionary<string, string> _storageSettings = [];
    private readonly string _models = Path.Combine(Path.GetTempPath(), "aidevops-brain-models-" + Guid.NewGuid().ToString("N"));

    /// <summary>Where this Brain keeps its detector models.</summary>
    public string ModelPath => _models;

    public async Task InitializeAsync()
    {
        _storage = await StartStorageAsync(_storageSettings);
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        await Services.GetRequiredService<TableInitializer>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Why the Brain, in Production with these settings, does not start: the whole exception, as text.</summary>
    public static string StartupError(params (string Key, string Value)[] settings)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:dynamodb", "http://127.0.0.1:9"); // a client that builds; options fail first
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        });
        return Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();
    }

    /// <summary>Starts the storage stand-in and says, as settings, how the Brain reaches it.</summary>
    protected virtual async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var dynalite = await DynaliteServer.StartAsync();
        settings["ConnectionStrings:dynamodb"] = dynalite.Endpoint.ToString();
        return dynalite;
    }

    /// <summary>Stand-ins started together, disposed in the order given.</summary>
    protected static IAsyncDisposable Together(params IAsyncDisposable[] parts) => new Disposables(parts);

    private sealed class Disposables(IAsyncDisposable[] parts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var part in parts)
                await part.DisposeAsync();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _storageSettings)
            builder.UseSetting(key, value);
        builder.UseSetting("Storage:TablePrefix", "brain-tests");
        builder.UseSetting("Ingest:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ingest:Agents:0:Id", "acme-edge");
        builder.UseSetting("Ingest:Agents:0:Tenant", "acme");
        builder.UseSetting("Ingest:Agents:0:KeySha256", ApiKeyHash.HexOf(AcmeKey));
        builder.UseSetting("Ingest:Agents:1:Id", "globex-edge");
        builder.UseSetting("Ingest:Agents:1:Tenant", "globex");
        builder.UseSetting("Ingest:Agents:1:KeySha256", ApiKeyHash.HexOf(GlobexKey));
        builder.UseSetting("Alerting:InsightsUrl", "http://127.0.0.1:9");
        builder.UseSetting("Detection:ModelPath", _models);
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _storage.DisposeAsync();
        if (Directory.Exists(_models))
            Directory.Delete(_models, recursive: true);
    }
}

/// <summary>The same Brain with <c>Storage:Backend = azuretables</c>, on Azurite.</summary>
public sealed class AzureTablesBrainFactory : BrainFactory
{
    protected override async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var azurite = await AzuriteServer.StartAsync();
        settings["Storage:Backend"] = "azuretables";
        settings["ConnectionStrings:tables"] = azurite.ConnectionString;
        return azurite;
    }
}
