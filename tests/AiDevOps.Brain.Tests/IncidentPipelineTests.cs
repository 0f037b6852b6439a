using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiDevOps.Brain.Alerting.Digests;
using AiDevOps.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// The alert pipeline end to end on a real Brain, dynalite and a loopback Bot API: a host with many anomalies is one
/// message, edited; a Brain killed with SIGKILL during a rate-limit storm sends every incident exactly once after its
/// restart, in order.
/// </summary>
public sealed class IncidentPipelineTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Chat = "4242";
    private const string AgentKey = "incident-agent-key";
    private DynaliteServer _dynalite = null!;
    private FakeTelegramBotApi _telegram = null!;
    private readonly string _models = Path.Combine(Path.GetTempPath(), "aidevops-incidents-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        _telegram = await FakeTelegramBotApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _telegram.DisposeAsync();
        await _dynalite.DisposeAsync();
        if (Directory.Exists(_models))
            Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task Fifty_series_of_one_host_anomalous_together_are_one_message_edited_not_fifty()
    {
        await using var brain = new SharedStorageBrainFactory(_dynalite.Endpoint, _telegram.BaseUrl);
        await brain.InitializeAsync();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using (var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = Chat, secret = "1:bot-of-acme" }))
            created.EnsureSuccessStatusCode();

        var alerts = Enumerable.Range(0, 50).Select(i => Alert($"Unusual{i:D2}", "web-7:9100")).ToArray();
        await PostAlertsAsync(client, alerts);

        var incident = await WaitForIncidentAsync(client, i => i.GetProperty("members").GetArrayLength() == 50);
        await WaitUntilAsync(() => _telegram.Edits.Any(e => e.Text.Contains("and 49 more", StringComparison.Ordinal)), "the edit naming all 50");
        var sent = Assert.Single(_telegram.Messages, m => m.Text.Contains("web-7:9100", StringComparison.Ordinal));
        Assert.All(_telegram.Edits, e => Assert.Equal(sent.MessageId, e.MessageId));
        Assert.InRange(_telegram.Edits.Count, 1, 49);
        Assert.Equal([$"ack:{incident.GetProperty("id").GetString()}", $"s1h:{incident.GetProperty("id").GetString()}", $"s24h:{incident.GetProperty("id").GetString()}"],
            sent.Buttons);

        // All resolve: the message says so (buttons gone) and one short silent reply notifies where an edit cannot.
        await PostAlertsAsync(client, [.. alerts.Select(a => a with { EndsAt = DateTimeOffset.UtcNow.AddSeconds(-1) })]);
        await WaitUntilAsync(() => _telegram.Messages.Any(m => m.ReplyTo == sent.MessageId), "the resolve reply");
        var reply = Assert.Single(_telegram.Messages, m => m.ReplyTo == sent.MessageId);
        Assert.True(reply.Silent);
        Assert.StartsWith("✅ Resolved after", reply.Text, StringComparison.Ordinal);
        var last = _telegram.Edits.Last();
        Assert.StartsWith("✅ <b>Resolved: ", last.Text, StringComparison.Ordinal);
        Assert.Null(last.Buttons);
        Assert.Equal(2, _telegram.Messages.Count(m => m.Text.Contains("web-7", StringComparison.Ordinal) || m.ReplyTo == sent.MessageId));

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.GetProperty("id").GetString()}");
        Assert.Equal("resolved", detail.GetProperty("incident").GetProperty("state").GetString());
        Assert.Contains(detail.GetProperty("notifications").EnumerateArray(), n => n.GetProperty("kind").GetString() == "opened" && n.GetProperty("state").GetString() == "delivered");
    }

    [Fact]
    public async Task A_Brain_killed_during_a_429_storm_sends_every_incident_exactly_once_in_order_after_its_restart()
    {
        _telegram.RateLimitNext(1_000_000);
        var brain = await StartBrainProcessAsync();
        using var http = new HttpClient { BaseAddress = brain.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", AgentKey);

        // Three hosts: one incident each, the first gaining a member and resolving, all while Telegram says 429.
        await PostAlertsAsync(http, [Alert("DiskFull", "db-1:9100"), Alert("DiskFull", "db-2:9100"), Alert("DiskFull", "db-3:9100")]);
        await PostAlertsAsync(http, [Alert("MemoryLow", "db-1:9100")]);
        await PostAlertsAsync(http, [Alert("DiskFull", "db-1:9100", ended: true), Alert("MemoryLow", "db-1:9100", ended: true)]);
        await WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement[]>("/api/incidents?state=all"))!.Length == 3
            && (await PendingAsync(http)) is var pending && pending.Count >= 6 && pending.Any(n => n.GetProperty("attempts").GetInt32() > 0),
            "every change in the outbox and an attempt refused with 429");
        var pendingBefore = (await PendingAsync(http)).Count;
        await brain.KillAsync();
        await brain.DisposeAsync();

        _telegram.RateLimitNext(0);
        await using var restarted = await StartBrainProcessAsync();
        using var again = new HttpClient { BaseAddress = restarted.BaseUrl };
        again.DefaultRequestHeaders.Authorization = new("Bearer", AgentKey);
        await WaitUntilAsync(async () => (await PendingAsync(again)).Count == 0, "the outbox drained");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.True(pendingBefore >= 6, $"only {pendingBefore} notifications were pending at the kill");
        foreach (var host in new[] { "db-1", "db-2", "db-3" })
            Assert.Single(_telegram.Messages, m => m.ReplyTo is null && m.Text.Contains(host + ":9100", StringComparison.Ordinal));
        var db1 = _telegram.Messages.Single(m => m.ReplyTo is null && m.Text.Contains("db-1:9100", StringComparison.Ordinal));
        // db-1's incident: opened, then (edited to its latest state) resolved: one reply, after which nothing changes it.
        var reply = Assert.Single(_telegram.Messages, m => m.ReplyTo == db1.MessageId);
        Assert.StartsWith("✅ Resolved", reply.Text, StringComparison.Ordinal);
        var edits = _telegram.Edits.Where(e => e.MessageId == db1.MessageId).ToList();
        Assert.StartsWith("✅ <b>Resolved: ", edits[^1].Text, StringComparison.Ordinal);
        Assert.Equal(edits.Count, edits.Select(e => e.Text).Distinct().Count());
        Assert.Empty(_telegram.Refused);
    }

    [Fact]
    public async Task The_daily_digest_tells_the_days_incidents_the_noisiest_series_and_what_was_silenced_quietly()
    {
        await using var brain = new SharedStorageBrainFactory(_dynalite.Endpoint, _telegram.BaseUrl);
        await brain.InitializeAsync();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using (var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = "777", secret = "1:bot-of-acme" }))
            created.EnsureSuccessStatusCode();
        await PostAlertsAsync(client, [Alert("DigestDiskFull", "db-9:9100")]);
        var incident = await WaitForIncidentAsync(client, i => i.GetProperty("title").GetString() == "Alert DigestDiskFull");
        using (var silenced = await client.PostAsJsonAsync($"/api/incidents/{incident.GetProperty("id").GetString()}/silence", new { by = "alice", duration = "2h" }))
            silenced.EnsureSuccessStatusCode();

        var digest = await brain.Services.GetRequiredService<DigestJob>().SendAsync("acme", CancellationToken.None);

        Assert.Contains(digest.Incidents, i => i.Title == "Alert DigestDiskFull");
        var sent = await _telegram.WaitForMessageAsync(m => m.ChatId == "777" && m.Text.StartsWith("<b>AiDevOps daily digest for acme", StringComparison.Ordinal), Patience);
        Assert.True(sent.Silent);
        Assert.Contains("Alert DigestDiskFull on {instance=&quot;db-9:9100&quot;}: still open (paged)", sent.Text, StringComparison.Ordinal);
        Assert.Contains("Silenced:\n• {instance=&quot;db-9:9100&quot;} by alice", sent.Text, StringComparison.Ordinal);
    }

    private static PostableAlert Alert(string name, string instance, bool ended = false) => new(
        new Dictionary<string, string> { ["alertname"] = name, ["instance"] = instance, ["severity"] = "page" },
        new Dictionary<string, string> { ["summary"] = $"{name} on {instance}." },
        DateTimeOffset.UtcNow.AddMinutes(-1), ended ? DateTimeOffset.UtcNow.AddSeconds(-1) : DateTimeOffset.UtcNow.AddMinutes(10), null);

    private static async Task PostAlertsAsync(HttpClient client, PostableAlert[] alerts)
    {
        using var posted = await client.PostAsJsonAsync("/api/v2/alerts", alerts);
        posted.EnsureSuccessStatusCode();
    }

    private Task<ServiceProcess> StartBrainProcessAsync() => ServiceProcess.StartServiceAsync("AiDevOps.Brain", ServiceProcess.FreePort(), new Dictionary<string, string>
    {
        ["ConnectionStrings__dynamodb"] = _dynalite.Endpoint.ToString(),
        ["Ingest__Agents__0__Id"] = "incidents",
        ["Ingest__Agents__0__KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AgentKey))),
        ["Alerting__InsightsUrl"] = "http://127.0.0.1:9",
        ["Alerting__SummaryTimeout"] = "00:00:00.500",
        ["Detection__ModelPath"] = _models,
        ["Telegram__BotToken"] = "1:bot-of-the-brain",
        ["Telegram__ApiBaseUrl"] = _telegram.BaseUrl.ToString(),
        ["Telegram__ChatIds__0"] = Chat,
    });

    private static async Task<List<JsonElement>> PendingAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement[]>("/api/notifications?state=pending&limit=10000"))!];

    private static async Task<JsonElement> WaitForIncidentAsync(HttpClient client, Func<JsonElement, bool> predicate)
    {
        JsonElement found = default;
        await WaitUntilAsync(async () =>
        {
            var open = await client.GetFromJsonAsync<JsonElement[]>("/api/incidents?state=all");
            found = open!.FirstOrDefault(predicate);
            return found.ValueKind == JsonValueKind.Object;
        }, "the incident");
        return found;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Eventually.HoldsAsync(condition, what, Patience);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.HoldsAsync(condition, what, Patience);
}
