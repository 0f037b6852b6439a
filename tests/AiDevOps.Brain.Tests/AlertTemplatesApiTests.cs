using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;

namespace AiDevOps.Brain.Tests;

/// <summary>A tenant's templates through the API, on the real Brain and dynalite, delivered to the loopback Bot API.</summary>
public sealed class AlertTemplatesApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private const string Path = "/api/alert-config/templates/telegram";
    private DynaliteServer _dynalite = null!;
    private FakeTelegramBotApi _telegram = null!;
    private IAsyncLifetime _brain = null!;
    private HttpClient _client = null!;
    private readonly string _name = "Tpl" + Guid.NewGuid().ToString("N")[..8];

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
    public async Task A_template_that_does_not_parse_is_a_400_naming_template()
    {
        using var response = await _client.PutAsJsonAsync(Path, new { template = "{% if title %}never closed" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("not a valid Liquid template", errors.GetProperty("template")[0].GetString(), StringComparison.Ordinal);
        using var stored = await _client.GetAsync(Path);
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);

        using var subject = await _client.PutAsJsonAsync(Path, new { template = "x", subject = "y" });
        Assert.True((await subject.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("subject", out _));
        using var channel = await _client.PutAsJsonAsync("/api/alert-config/templates/pagerduty", new { template = "x" });
        Assert.True((await channel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("channel", out _));
    }

    [Fact]
    public async Task Alerts_are_sent_in_the_tenants_template_with_data_escaped_until_it_is_deleted()
    {
        await PutAsync("🚨 <b>{{ title }}</b> on {{ labels.instance }} ({{ status }}, {{ members.size }} member)\n{{ summary }}");
        using (var read = await _client.GetAsync(Path))
            Assert.StartsWith("🚨 <b>{{ title }}", (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("template").GetString(), StringComparison.Ordinal);

        await FireAsync(_name, "<b>db & co</b>");
        var message = await _telegram.WaitForMessageAsync(m => m.Text.Contains(_name, StringComparison.Ordinal), Patience);
        Assert.StartsWith($"🚨 <b>Alert {_name}</b> on &lt;b&gt;db &amp; co&lt;/b&gt; (firing, 1 member)", message.Text, StringComparison.Ordinal);
        Assert.Equal($"🚨 Alert {_name} on <b>db & co</b> (firing, 1 member)", TelegramHtml.Text(message.Text).Split('\n')[0]);

        using var deleted = await _client.DeleteAsync(Path);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await FireAsync(_name + "Again", "db-2");
        var builtIn = await _telegram.WaitForMessageAsync(m => m.Text.Contains(_name + "Again", StringComparison.Ordinal), Patience);
        Assert.StartsWith("🔴 <b>Alert " + _name + "Again</b>", builtIn.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_huge_output_is_cut_so_Telegram_takes_it()
    {
        await PutAsync("{% for i in (1..3000) %}<b>{{ title }}</b> &amp; <i>{{ labels.instance }}</i> {% endfor %}");

        await FireAsync(_name, "a&b");
        var message = await _telegram.WaitForMessageAsync(m => m.Text.Contains(_name, StringComparison.Ordinal), Patience);
        // The fake Bot API refuses invalid HTML and over-long text with 400, so having it proves the cut was safe.
        Assert.InRange(TelegramHtml.Text(message.Text).Length, 3_500, FakeTelegramBotApi.MaxTextLength);
        Assert.Empty(_telegram.Refused);
    }

    [Fact]
    public async Task A_template_failing_while_rendering_leaves_the_built_in_message()
    {
        await PutAsync("{% for i in (1..100000000) %}{{ i }}{% endfor %}");

        await FireAsync(_name, "db-3");
        var message = await _telegram.WaitForMessageAsync(m => m.Text.Contains(_name, StringComparison.Ordinal), Patience);
        Assert.StartsWith("🔴 <b>Alert " + _name + "</b>", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_preview_renders_against_a_stored_incident()
    {
        using (var none = await _client.PostAsJsonAsync(Path + "/preview", new { template = "{{ title }}" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
            Assert.True((await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("incidentId", out _));
        }
        await FireAsync(_name, "db-4");
        await _telegram.WaitForMessageAsync(m => m.Text.Contains(_name, StringComparison.Ordinal), Patience);
        var incident = (await _client.GetFromJsonAsync<JsonElement[]>("/api/incidents?state=all"))!
            .Single(i => i.GetProperty("members")[0].GetProperty("series").GetProperty("labels").GetProperty("alertname").GetString() == _name);
        var id = incident.GetProperty("id").GetString();

        using var response = await _client.PostAsJsonAsync(Path + "/preview",
            new { template = "<b>{{ title }}</b> {{ group.instance }} <i>unclosed", incidentId = id });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"<b>Alert {_name}</b> db-4 <i>unclosed</i>", preview.GetProperty("text").GetString());
        Assert.False(preview.GetProperty("valid").GetBoolean());
        Assert.Equal($"Alert {_name} db-4 unclosed".Length, preview.GetProperty("length").GetInt32());
        Assert.Equal(id, preview.GetProperty("incidentId").GetString());

        using var newest = await _client.PostAsJsonAsync("/api/alert-config/templates/email/preview",
            new { template = "<p>{{ title }}</p>", subject = "[{{ status | upcase }}] {{ title }}" });
        var email = await newest.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"[FIRING] Alert {_name}", email.GetProperty("subject").GetString());

        using var missing = await _client.PostAsJsonAsync(Path + "/preview", new { template = "x", incidentId = "nope" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task PutAsync(string template)
    {
        using var response = await _client.PutAsJsonAsync(Path, new { template });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task FireAsync(string alertName, string instance)
    {
        var alert = new PostableAlert(new Dictionary<string, string> { ["alertname"] = alertName, ["instance"] = instance, ["severity"] = "page" }, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(10), null);
        using var posted = await _client.PostAsJsonAsync("/api/v2/alerts", new[] { alert });
        posted.EnsureSuccessStatusCode();
    }
}
