using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;

namespace AiDevOps.Brain.Tests;

/// <summary>Silences and maintenance windows hold back what they match, and only that, while they last.</summary>
public sealed class SilencesTests : IAsyncLifetime
{
    private DynaliteServer _dynalite = null!;
    private FakeTelegramBotApi _telegram = null!;
    private IAsyncLifetime _brain = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        _telegram = await FakeTelegramBotApi.StartAsync();
        var brain = new SharedStorageBrainFactory(_dynalite.Endpoint, _telegram.BaseUrl);
        _brain = brain;
        await brain.InitializeAsync();
        _client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await _client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "4242", secret = "1:bot-of-acme" });
        created.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _brain.DisposeAsync();
        await _telegram.DisposeAsync();
        await _dynalite.DisposeAsync();
    }

    [Fact]
    public async Task An_active_silence_holds_back_what_it_matches_until_it_is_expired()
    {
        using var silenced = await _client.PostAsJsonAsync("/api/silences",
            new { matchers = "{instance=\"db-1\"}", duration = "1h", createdBy = "ops@acme", comment = "disk swap" });
        Assert.Equal(HttpStatusCode.Created, silenced.StatusCode);
        var silence = await silenced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("active", silence.GetProperty("state").GetString());

        await FireAsync("Quiet", "db-1");
        await FireAsync("Loud", "db-2");
        await _telegram.WaitForMessageAsync(m => m.Text.Contains("Loud", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(_telegram.Messages, m => m.Text.Contains("Quiet", StringComparison.Ordinal));

        using var expired = await _client.DeleteAsync($"/api/silences/{silence.GetProperty("id").GetString()}");
        Assert.Equal("expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        await FireAsync("AfterSilence", "db-1");
        await _telegram.WaitForMessageAsync(m => m.Text.Contains("AfterSilence", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_maintenance_window_waits_for_its_start()
    {
        using var window = await _client.PostAsJsonAsync("/api/silences",
            new { matchers = "{instance=\"db-3\"}", startsAt = DateTimeOffset.UtcNow.AddHours(1), duration = "2h", createdBy = "ops@acme", comment = "kernel update" });
        Assert.Equal("pending", (await window.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        await FireAsync("BeforeWindow", "db-3");
        await _telegram.WaitForMessageAsync(m => m.Text.Contains("BeforeWindow", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Single((await _client.GetFromJsonAsync<JsonElement[]>("/api/silences?state=pending"))!);
    }

    [Fact]
    public async Task A_bad_silence_is_a_validation_problem_naming_each_field()
    {
        using var response = await _client.PostAsJsonAsync("/api/silences",
            new { matchers = "{instance=", endsAt = DateTimeOffset.UtcNow.AddHours(-1), createdBy = "", comment = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "matchers", "endsAt", "createdBy", "comment" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement[]>("/api/silences"))!);
    }

    private async Task FireAsync(string alertName, string instance)
    {
        var alert = new PostableAlert(new Dictionary<string, string> { ["alertname"] = alertName, ["instance"] = instance }, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(10), null);
        using var posted = await _client.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        posted.EnsureSuccessStatusCode();
    }
}
