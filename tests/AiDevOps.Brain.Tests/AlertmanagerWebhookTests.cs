using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AiDevOps.Brain.Tests;

/// <summary>The Alertmanager webhook receiver on the real Brain and dynalite, fed the JSON Alertmanager 0.25 posts.</summary>
public sealed class AlertmanagerWebhookTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private const string Path = "/api/alertmanager/webhook";

    // Each test's alerts have their own names, so tests sharing the Brain never see each other's anomalies.
    private readonly string _name = "Webhook" + Guid.NewGuid().ToString("N")[..8];

    private static readonly DateTimeOffset StartsAt = DateTimeOffset.UtcNow.AddMinutes(-2);

    /// <summary>An alert as Alertmanager writes it; a firing alert's endsAt is the zero time.</summary>
    private static object Alert(string status, string name, string instance = "db-1", DateTimeOffset? endsAt = null) => new
    {
        status,
        labels = new Dictionary<string, string> { ["alertname"] = name, ["instance"] = instance, ["severity"] = "page" },
        annotations = new Dictionary<string, string> { ["summary"] = $"Disk of {instance} is 97% full.", ["description"] = "Less than 3% left on /data." },
        startsAt = StartsAt,
        endsAt = endsAt?.ToString("O") ?? "0001-01-01T00:00:00Z",
        generatorURL = "http://prometheus:9090/graph?g0.expr=disk",
        fingerprint = "5f3c9c1d2a7b4e10",
    };

    private static object Notification(string status, params object[] alerts) => new
    {
        version = "4",
        groupKey = "{}:{alertname=\"DiskAlmostFull\"}",
        truncatedAlerts = 0,
        status,
        receiver = "aidevops",
        groupLabels = new Dictionary<string, string> { ["alertname"] = "DiskAlmostFull" },
        commonLabels = new Dictionary<string, string> { ["severity"] = "page" },
        commonAnnotations = new Dictionary<string, string>(),
        externalURL = "http://alertmanager:9093",
        alerts,
    };

    private async Task PostAsync(object notification, string key = BrainFactory.AcmeKey)
    {
        using var client = brain.ClientWithKey(key);
        using var response = await client.PostAsJsonAsync(Path, notification);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The tenant's anomalies of this test's alerts.</summary>
    private async Task<List<JsonElement>> AnomaliesAsync(string key = BrainFactory.AcmeKey)
    {
        using var client = brain.ClientWithKey(key);
        var all = await client.GetFromJsonAsync<JsonElement>("/api/anomalies?state=all&limit=1000");
        return all.EnumerateArray()
            .Where(a => a.GetProperty("labels").TryGetProperty("alertname", out var n) && n.GetString()!.StartsWith(_name, StringComparison.Ordinal))
            .ToList();
    }

    [Fact]
    public async Task Firing_alerts_open_one_anomaly_each_and_a_repeat_changes_nothing()
    {
        await PostAsync(Notification("firing", Alert("firing", _name, "db-1"), Alert("firing", _name, "db-2")));
        var opened = await AnomaliesAsync();
        Assert.Equal(2, opened.Count);
        Assert.All(opened, a =>
        {
            Assert.Equal("prometheus_alert", a.GetProperty("kind").GetString());
            Assert.Equal("alertmanager", a.GetProperty("detector").GetString());
            Assert.Equal("open", a.GetProperty("state").GetString());
            Assert.Equal(StartsAt.ToUnixTimeMilliseconds(), a.GetProperty("openedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        });
        Assert.Contains(opened, a => a.GetProperty("evidence").GetString() == "Disk of db-2 is 97% full. Less than 3% left on /data.");

        // Alertmanager's repeat (repeat_interval) and a retried delivery look the same: nothing changes.
        await PostAsync(Notification("firing", Alert("firing", _name, "db-1"), Alert("firing", _name, "db-2")));
        var after = await AnomaliesAsync();
        Assert.Equal(opened.Select(a => a.GetProperty("id").GetString()).Order(), after.Select(a => a.GetProperty("id").GetString()).Order());
        Assert.All(after, a => Assert.Equal("open", a.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_resolved_alert_resolves_its_anomaly_at_its_endsAt()
    {
        await PostAsync(Notification("firing", Alert("firing", _name, "db-1"), Alert("firing", _name, "db-2")));
        var endsAt = DateTimeOffset.UtcNow.AddSeconds(-10);
        // One alert of the group resolved, the other still firing: Alertmanager sends both.
        await PostAsync(Notification("firing", Alert("resolved", _name, "db-1", endsAt), Alert("firing", _name, "db-2")));

        var anomalies = await AnomaliesAsync();
        var resolved = Assert.Single(anomalies, a => a.GetProperty("state").GetString() == "resolved");
        Assert.Equal("db-1", resolved.GetProperty("labels").GetProperty("instance").GetString());
        Assert.Equal(endsAt.ToUnixTimeMilliseconds(), resolved.GetProperty("resolvedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Single(anomalies, a => a.GetProperty("state").GetString() == "open");
    }

    [Fact]
    public async Task Tenants_are_apart()
    {
        await PostAsync(Notification("firing", Alert("firing", _name)));
        // The same alert resolved by another tenant's Alertmanager resolves nothing of acme's, and opens nothing.
        await PostAsync(Notification("resolved", Alert("resolved", _name, endsAt: DateTimeOffset.UtcNow)), BrainFactory.GlobexKey);

        Assert.Equal("open", Assert.Single(await AnomaliesAsync()).GetProperty("state").GetString());
        Assert.Empty(await AnomaliesAsync(BrainFactory.GlobexKey));
    }

    [Fact]
    public async Task A_notification_without_a_key_is_refused_with_401()
    {
        using var client = brain.ClientWithKey(null);
        using var response = await client.PostAsJsonAsync(Path, Notification("firing", Alert("firing", _name)));
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await AnomaliesAsync());
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { "not JSON", "alertname=DiskFull", "body" },
        { "truncated JSON", """{"version":"4","alerts":[{"status":"firing","labels":""", "alerts[0].labels" },
        { "JSON null", "null", "body" },
        { "no alerts", """{"version":"4","status":"firing","receiver":"aidevops"}""", "alerts" },
        { "null alerts", """{"version":"4","alerts":null}""", "alerts" },
        { "alerts not an array", """{"version":"4","alerts":{"status":"firing"}}""", "alerts" },
        { "a null alert", """{"version":"4","alerts":[null]}""", "alerts[0]" },
        { "an alert with null labels", """{"version":"4","alerts":[{"status":"firing","labels":null}]}""", "alerts[0].labels" },
        { "a label value null", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","severity":null}}]}""", "alerts[0].labels" },
        { "a label value not a string", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","severity":3}}]}""", "alerts[0].labels.severity" },
        { "a bad label name", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","bad-name":"x"}}]}""", "alerts[0].labels" },
        { "no alertname", """{"version":"4","alerts":[{"status":"firing","labels":{"instance":"db-1"}}]}""", "alerts[0].labels" },
        { "a bad status", """{"version":"4","alerts":[{"status":"pending","labels":{"alertname":"A"}}]}""", "alerts[0].status" },
        { "no status", """{"version":"4","alerts":[{"labels":{"alertname":"A"}}]}""", "alerts[0].status" },
        { "a startsAt that is no time", """{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"soon"}]}""", "alerts[0].startsAt" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_body_is_a_400_naming_the_field(string what, string body, string field)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync(Path, new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{what}: {problem}");
    }

    [Fact]
    public async Task One_bad_alert_refuses_the_whole_notification()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsJsonAsync(Path, Notification("firing", Alert("firing", _name), Alert("pending", _name, "db-2")));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[1].status", out _), problem.ToString());
        Assert.Empty(await AnomaliesAsync());
    }

    [Fact]
    public async Task Too_many_alerts_are_a_400_on_alerts()
    {
        var alerts = Enumerable.Range(0, 10_001).Select(i => new { status = "firing", labels = new { alertname = $"{_name}{i}" } }).ToArray();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsJsonAsync(Path, new { version = "4", alerts });
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("10000", problem.GetProperty("errors").GetProperty("alerts")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await AnomaliesAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_json_by_its_content_type_is_a_415()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync(Path, new StringContent("{\"alerts\":[]}", Encoding.UTF8, "text/plain"));
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_json_body_in_a_charset_nobody_knows_is_a_415_not_a_500()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var content = new ByteArrayContent("{\"alerts\":[]}"u8.ToArray());
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=no-such-charset");
        using var response = await client.PostAsync(Path, content);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
