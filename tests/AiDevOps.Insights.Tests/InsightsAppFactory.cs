using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AiDevOps.Insights.Apis;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiDevOps.Insights.Tests;

/// <summary>
/// The real Insights host, listening on a free loopback port, with test settings layered over its own: its API key
/// is <see cref="Key"/> unless the settings say otherwise, and its clients present it.
/// </summary>
public sealed class InsightsAppFactory : WebApplicationFactory<Program>
{
    public const string Key = "insights-test-key";
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private InsightsAppFactory(IReadOnlyDictionary<string, string?> settings) =>
        _settings = settings.ContainsKey(InsightsApiKey.Setting)
            ? settings
            : new Dictionary<string, string?>(settings) { [InsightsApiKey.Setting] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))) };

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

    /// <summary>
    /// Why the app does not start with these settings. A start that fails races WebApplicationFactory's own teardown,
    /// which now and then answers with an ObjectDisposedException instead of the app's error: started again then.
    /// </summary>
    public static Exception StartupFailure(IReadOnlyDictionary<string, string?> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            InsightsAppFactory app;
            try
            {
                app = Start(settings);
            }
            catch (ObjectDisposedException) when (attempt < 5)
            {
                continue; // The teardown's race, not the app's answer.
            }
            catch (Exception e)
            {
                return e;
            }
            app.Dispose();
            throw new Xunit.Sdk.XunitException("The app started with these settings.");
        }
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }
}
