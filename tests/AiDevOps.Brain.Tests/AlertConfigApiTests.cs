using System.Net;
using AiDevOps.Brain.Alerting;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text.Json;

namespace AiDevOps.Brain.Tests;

public sealed class AlertConfigApiTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private const string Receivers = "/api/alert-config/receivers";
    private const string BotToken = "123456:secret-bot-token-never-shown";

    [Fact]
    public async Task A_receivers_secret_is_stored_but_never_returned()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await client.PostAsJsonAsync(Receivers, new { channel = "telegram", address = "-100123", secret = BotToken });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(view.GetProperty("hasSecret").GetBoolean());
        var id = view.GetProperty("id").GetString();

        foreach (var path in new[] { Receivers, $"{Receivers}/{id}", created.Headers.Location!.ToString() })
        {
            var body = await client.GetStringAsync(path);
            Assert.Contains("-100123", body);
            Assert.DoesNotContain("secret-bot-token", body);
        }
        var stored = await brain.Services.GetRequiredService<AlertConfigStore>().FindReceiverAsync("acme", id!, default);
        Assert.Equal(BotToken, stored!.Secret);
        Assert.DoesNotContain("secret-bot-token", stored.ToString());
    }

    [Fact]
    public async Task A_put_without_a_secret_keeps_it_and_a_delete_removes_the_receiver()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await client.PostAsJsonAsync(Receivers, new { channel = "telegram", address = "@ops_alerts", secret = BotToken });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var replaced = await client.PutAsJsonAsync($"{Receivers}/{id}", new { channel = "telegram", address = "@ops_alerts" });
        Assert.True((await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hasSecret").GetBoolean());
        using var moved = await client.PutAsJsonAsync($"{Receivers}/{id}", new { channel = "telegram", address = "@elsewhere" });
        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{Receivers}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{Receivers}/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_receiver_is_a_validation_problem_naming_each_field_without_echoing_the_secret()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var unknown = await client.PostAsJsonAsync(Receivers, new { channel = "pager", address = "", secret = "no-colon-secret" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var body = await unknown.Content.ReadAsStringAsync();
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Contains("'telegram'", errors.GetProperty("channel")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("address", out _));
        Assert.DoesNotContain("no-colon-secret", body);

        // A known channel's notifier judges its own address and secret.
        using var telegram = await client.PostAsJsonAsync(Receivers, new { channel = "telegram", address = "not a chat", secret = "no-colon-secret" });
        body = await telegram.Content.ReadAsStringAsync();
        errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Contains("chat id", errors.GetProperty("address")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("secret", out _));
        Assert.DoesNotContain("no-colon-secret", body);
    }

    [Fact]
    public async Task A_tenant_sees_and_changes_only_its_own_receivers()
    {
        using var acme = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await acme.PostAsJsonAsync(Receivers, new { channel = "telegram", address = "42" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var globex = brain.ClientWithKey(BrainFactory.GlobexKey);
        Assert.DoesNotContain(id!, await globex.GetStringAsync(Receivers));
        Assert.Equal(HttpStatusCode.NotFound, (await globex.GetAsync($"{Receivers}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globex.DeleteAsync($"{Receivers}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"{Receivers}/{id}")).StatusCode);
    }

    [Fact]
    public async Task An_email_receiver_is_refused_while_the_Brain_has_no_SMTP_server_saying_what_to_set()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsJsonAsync(Receivers, new { channel = "email", address = "ops@example.com" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("Email:Host", errors.GetProperty("channel")[0].GetString(), StringComparison.Ordinal);
        Assert.False(errors.TryGetProperty("address", out _));
    }

    public static TheoryData<string, string, string> HttpChannelReceivers => new()
    {
        { "slack", "#ops", "https://hooks.slack.com/services/T000/B000/slack-webhook-key" },
        { "pagerduty", "database on-call", "PAGERDUTYR0UT1NGK3Y0000000000042" },
        { "webhook", "on-call bridge", "https://oncall.example.com/integrations/v1/alertmanager/webhook-key/" },
    };

    [Theory]
    [MemberData(nameof(HttpChannelReceivers))]
    public async Task An_http_channels_receiver_keeps_its_secret_write_only(string channel, string address, string secret)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var created = await client.PostAsJsonAsync(Receivers, new { channel, address, secret });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((channel, address, true), (view.GetProperty("channel").GetString(), view.GetProperty("address").GetString(), view.GetProperty("hasSecret").GetBoolean()));
        var listed = await client.GetStringAsync(Receivers);
        Assert.Contains(address, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("slack", "hooks.slack.com/services/T000/B000/slack-webhook-key", "Slack incoming webhook URL")]
    [InlineData("slack", null, "Slack incoming webhook URL")]
    [InlineData("pagerduty", "pagerduty-key-too-short", "integration key")]
    [InlineData("webhook", "ftp://user:webhook-key@example.com/hook", "absolute http or https URL")]
    public async Task An_http_channel_refuses_a_receiver_without_a_usable_secret_and_never_echoes_it(string channel, string? secret, string says)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var refused = await client.PostAsJsonAsync(Receivers, new { channel, address = "ops", secret });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains(says, JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("secret")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret ?? "\0", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_channel_is_told_every_channel_this_Brain_delivers_to()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var refused = await client.PostAsJsonAsync(Receivers, new { channel = "pager", address = "ops@example.com" });

        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("channel must be one of 'telegram', 'email', 'slack', 'pagerduty', 'webhook', the channels this Brain delivers to.", errors.GetProperty("channel")[0].GetString());
    }
}
