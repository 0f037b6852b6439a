using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiDevOps.Insights.Tests;

/// <summary>The real Insights host, listening on a free loopback port, with test settings layered over its own.</summary>
public sealed class InsightsAppFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private InsightsAppFactory(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    /// <summary>Starts the app; startup failures (options validation) surface from here.</summary>
    public static InsightsAppFactory Start(IReadOnlyDictionary<string, string?> settings)
    {
        var factory = new InsightsAppFactory(settings);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        try
        {
            factory.StartServer();
        }
        catch
        {
            try
            {
                factory.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // A failed start may already have torn the host down; the start's own exception is the one to report.
            }
            throw;
        }
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }
}
