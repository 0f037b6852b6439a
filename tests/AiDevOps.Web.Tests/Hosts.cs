using System.Net;
using AiDevOps.Brain.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiDevOps.Web.Tests;

/// <summary>A service of the platform, in process, on a free loopback port: the browser reaches it as it would in a deployment.</summary>
public abstract class LoopbackHost<TEntryPoint>(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    public Uri Url { get; private set; } = null!;

    public void Start()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        using var client = CreateClient();
        Url = client.BaseAddress!;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

    protected virtual string Environment => "Production";
}

/// <summary>The real Brain on dynalite, two tenants (acme, globex), sending to a loopback Bot API, explained by Insights.</summary>
public sealed class BrainHost(IReadOnlyDictionary<string, string> settings) : LoopbackHost<AiDevOps.Brain.Tenancy.ReadOnlyTokens>(settings)
{
    public const string AcmeKey = "acme-web-test-key";
    public const string GlobexKey = "globex-web-test-key";

    /// <summary>Starts it and waits until its tables exist: before that it answers 503.</summary>
    public async Task StartAsync()
    {
        Start();
        await Services.GetRequiredService<TableInitializer>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public static Dictionary<string, string> Settings(Uri dynamodb, Uri telegram, Uri insights, string insightsKey, string models) => new()
    {
        ["ConnectionStrings:dynamodb"] = dynamodb.ToString(),
        ["Storage:TablePrefix"] = "web-tests",
        ["Ingest:Agents:0:Id"] = "acme-edge",
        ["Ingest:Agents:0:Tenant"] = "acme",
        ["Ingest:Agents:0:KeySha256"] = ApiKeyHash.HexOf(AcmeKey),
        ["Ingest:Agents:1:Id"] = "globex-edge",
        ["Ingest:Agents:1:Tenant"] = "globex",
        ["Ingest:Agents:1:KeySha256"] = ApiKeyHash.HexOf(GlobexKey),
        ["Telegram:ApiBaseUrl"] = telegram.ToString(),
        ["Alerting:InsightsUrl"] = insights.ToString(),
        ["Alerting:InsightsApiKey"] = insightsKey,
        ["Detection:ModelPath"] = models,
    };
}

/// <summary>Insights without a model: it writes deterministic summaries.</summary>
public sealed class InsightsHost(IReadOnlyDictionary<string, string> settings)
    : LoopbackHost<AiDevOps.Insights.Summaries.DeterministicSummarizer>(settings);

/// <summary>
/// The Web UI, pointed at the Brain. In Development, as <c>dotnet run</c> starts it: its static files (uPlot, the
/// Blazor script) are then served from the build's static web assets rather than a publish folder.
/// </summary>
public sealed class WebUiHost(string brainUrl) : LoopbackHost<AiDevOps.Web.Extensions.WebOptions>(new Dictionary<string, string> { ["Web:BrainUrl"] = brainUrl })
{
    protected override string Environment => "Development";
}
