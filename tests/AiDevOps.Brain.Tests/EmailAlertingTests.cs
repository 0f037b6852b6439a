using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Brain.Tests;

/// <summary>The Brain with its e-mail channel pointed at a real maildev that wants a login.</summary>
public sealed class EmailBrainFactory : BrainFactory
{
    public const string SmtpUser = "brain";
    public const string SmtpPassword = "brain-smtp-password";

    public MaildevServer Maildev { get; private set; } = null!;

    /// <summary>Every line the Brain logged, by category.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> Logs { get; } = new();

    protected override async Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        var storage = await base.StartStorageAsync(settings);
        Maildev = await MaildevServer.StartAsync(SmtpUser, SmtpPassword);
        return Together(storage, Maildev);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new CollectingLoggerProvider(Logs)));
        builder.UseSetting("Email:Host", "127.0.0.1");
        builder.UseSetting("Email:Port", Maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Tls", "none");
        builder.UseSetting("Email:From", "AiDevOps <alerts@aidevops.example>");
        builder.UseSetting("Email:Username", SmtpUser);
        builder.UseSetting("Email:Password", SmtpPassword);
    }
}

public sealed class EmailAlertingTests(EmailBrainFactory brain) : IClassFixture<EmailBrainFactory>
{
    [Fact]
    public async Task A_Prometheus_alert_and_its_resolve_reach_an_email_receiver_created_through_the_api()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var receiver = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "email", address = "oncall@acme.example" });
        Assert.Equal(HttpStatusCode.Created, receiver.StatusCode);

        var labels = new Dictionary<string, string> { ["alertname"] = "DiskAlmostFull", ["instance"] = "db-1", ["mount"] = "/data & <logs>" };
        var startsAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var annotations = new Dictionary<string, string> { ["summary"] = "Disk of db-1 is 97% full." };
        using (var firing = await client.PostAsJsonAsync("/api/v2/alerts", new[] { new PostableAlert(labels, annotations, startsAt, DateTimeOffset.UtcNow.AddMinutes(5), null) }))
            firing.EnsureSuccessStatusCode();

        const string Subject = "Alert DiskAlmostFull: ALERTS{alertname=\"DiskAlmostFull\",instance=\"db-1\",mount=\"/data & <logs>\"}";
        var fired = await brain.Maildev.WaitForEmailAsync(e => e.Subject == "[FIRING] " + Subject, TimeSpan.FromSeconds(30));
        Assert.Equal(["oncall@acme.example"], fired.To);
        Assert.Equal(["alerts@aidevops.example"], fired.From);
        Assert.Contains("Disk of db-1 is 97% full.", fired.Text, StringComparison.Ordinal);
        Assert.Contains("mount=&quot;/data &amp; &lt;logs&gt;&quot;", fired.Parsed().HtmlBody, StringComparison.Ordinal);

        using (var resolve = await client.PostAsJsonAsync("/api/v2/alerts", new[] { new PostableAlert(labels, annotations, startsAt, DateTimeOffset.UtcNow.AddSeconds(-1), null) }))
            resolve.EnsureSuccessStatusCode();
        var resolved = await brain.Maildev.WaitForEmailAsync(e => e.Subject == "[RESOLVED] " + Subject, TimeSpan.FromSeconds(30));
        Assert.Equal(["oncall@acme.example"], resolved.To);
        Assert.Contains("Resolved: Alert DiskAlmostFull", resolved.Text, StringComparison.Ordinal);

        var logs = brain.Logs.Values.SelectMany(lines => lines).ToList();
        Assert.Contains(logs, line => line.Contains("delivered via email", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, line => line.Contains(EmailBrainFactory.SmtpPassword, StringComparison.Ordinal));
    }
}
