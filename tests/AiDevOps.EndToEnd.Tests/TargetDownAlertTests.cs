using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;
using Amazon.DynamoDBv2;
using AiDevOps.Storage;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiDevOps.EndToEnd.Tests;

public sealed class TargetDownAlertTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private static readonly TimeSpan AlertTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan UpBeforeStop = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_stopped_node_exporter_reaches_Telegram_with_the_models_summary_and_its_recovery_resolves_it()
    {
        var instance = await WaitForUpSamplesInDynamoDbAsync();
        // The model looks further before it answers: its tool calls are answered by this Brain, on dynalite. Twice
        // over, for when the first explanation's budget ends before the model's answer and the later one asks again.
        var looksFurther = new[]
        {
            ScriptedReply.Calls(
                new ScriptedToolCall("brain-get_series", JsonSerializer.Serialize(new { selector = $"up{{instance=\"{instance}\"}}", minutes = 10 })),
                new ScriptedToolCall("brain-get_host_anomalies")),
            new ScriptedReply(PlatformFixture.ModelReply),
        };
        platform.Model.Script([.. looksFurther, .. looksFurther]);

        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
        var stopped = await commands.ExecuteCommandAsync("node-exporter", KnownResourceCommands.StopCommand).WaitAsync(AlertTimeout);
        Assert.True(stopped.Success, stopped.Message);

        var firing = await WithLogsOnFailure(platform.Telegram.WaitForMessageAsync(m => m.Text.StartsWith("🔴 <b>Target down", StringComparison.Ordinal), AlertTimeout));
        Assert.Equal(PlatformFixture.ChatId, firing.ChatId);
        Assert.Equal("HTML", firing.ParseMode, ignoreCase: true);
        Assert.Contains(instance, firing.Text, StringComparison.Ordinal);
        Assert.Contains("job=&quot;node&quot;", firing.Text, StringComparison.Ordinal);
        // The model's explanation is in the page, or edited into it when the model was slower than the first budget.
        if (!firing.Text.Contains(PlatformFixture.ModelReply, StringComparison.Ordinal))
            await WithLogsOnFailure(platform.Telegram.WaitForEditAsync(
                m => m.MessageId == firing.MessageId && m.Text.Contains(PlatformFixture.ModelReply, StringComparison.Ordinal), AlertTimeout));
        // The summary is grounded: the model was shown the down target, and its tools read the Brain's own data back.
        Assert.Contains(platform.Model.Requests, r => r.Body.Contains(instance, StringComparison.Ordinal));
        var toolResults = platform.Model.Requests.SelectMany(r => r.ToolResults).ToList();
        Assert.Contains(toolResults, r => r.StartsWith($"up{{instance=\"{instance}\", job=\"node\"}}", StringComparison.Ordinal) && r.Contains("=1", StringComparison.Ordinal));
        Assert.Contains(toolResults, r => r.Contains($"instance=\"{instance}\"", StringComparison.Ordinal) && r.Contains("kind target_down", StringComparison.Ordinal));

        var started = await commands.ExecuteCommandAsync("node-exporter", KnownResourceCommands.StartCommand).WaitAsync(AlertTimeout);
        Assert.True(started.Success, started.Message);
        // The incident's message is edited to say it resolved, and a short reply under it notifies.
        var resolved = await WithLogsOnFailure(platform.Telegram.WaitForEditAsync(
            m => m.MessageId == firing.MessageId && m.Text.Contains("Resolved", StringComparison.Ordinal), AlertTimeout));
        Assert.Contains(instance, resolved.Text, StringComparison.Ordinal);
        await platform.Telegram.WaitForMessageAsync(m => m.ReplyTo == firing.MessageId && m.Text.StartsWith("✅ Resolved", StringComparison.Ordinal), AlertTimeout);
        Assert.Single(platform.Telegram.Messages, m => m.Text.StartsWith("🔴 <b>Target down", StringComparison.Ordinal));

        using var brain = BrainClient();
        var anomalies = await brain.GetFromJsonAsync<JsonElement>("/api/anomalies?state=resolved");
        var anomaly = Assert.Single(anomalies.EnumerateArray(), a => a.GetProperty("labels").GetProperty("instance").GetString() == instance);
        Assert.Equal("model", anomaly.GetProperty("summarySource").GetString());

        // A target going down is the platform's job, not its error: no service logged one.
        foreach (var service in new[] { "brain", "agent", "insights" })
            Assert.Empty(platform.ErrorsOf(service));

        // Secrets were used on this path (the bot token on every send); none may show in any resource's log.
        var botSecret = PlatformFixture.BotToken.Split(':')[1];
        Assert.Contains(platform.Logs, r => r.Key.EndsWith(".brain", StringComparison.Ordinal) && !r.Value.IsEmpty);
        foreach (var (resource, lines) in platform.Logs)
        {
            Assert.DoesNotContain(lines, l => l.Contains(botSecret, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains(PlatformFixture.AgentKey, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Contains("sk-e2e-model-key", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Node_series_are_stored_under_the_host_name_not_the_port_allocated_for_this_run()
    {
        // node_exporter's port is new at every start; an instance made of it would start the series afresh each time.
        using var brain = BrainClient();
        var deadline = DateTime.UtcNow + AlertTimeout;
        var instances = new List<string?>();
        while (instances.Count == 0 && DateTime.UtcNow < deadline)
        {
            var series = await brain.GetFromJsonAsync<JsonElement>("/api/series?metric=up&job=node");
            instances = series.EnumerateArray().Select(s => s.GetProperty("labels").GetProperty("instance").GetString()).ToList();
            if (instances.Count == 0)
                await Task.Delay(500);
        }

        Assert.Equal(Environment.MachineName, Assert.Single(instances));
    }

    [Fact]
    public async Task The_apphost_log_says_where_the_brain_listens_and_how_to_call_it_with_the_key_masked()
    {
        var brainUrl = platform.App.GetEndpoint("brain", "http").ToString().TrimEnd('/');
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string? hint;
        while ((hint = platform.Logs.GetValueOrDefault("AiDevOps.AppHost")?.FirstOrDefault(l => l.Contains("Brain: ", StringComparison.Ordinal))) is null
               && DateTime.UtcNow < deadline)
            await Task.Delay(200);

        Assert.NotNull(hint);
        Assert.Contains($"Brain: {brainUrl}, agent key {PlatformFixture.AgentKey[..4]}…", hint, StringComparison.Ordinal);
        Assert.Contains($"curl -H \"Authorization: Bearer $KEY\" {brainUrl}/api/anomalies", hint, StringComparison.Ordinal);
        Assert.DoesNotContain(PlatformFixture.AgentKey[..5], hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_web_UI_the_apphost_log_points_to_signs_in_with_the_agent_key_and_shows_the_local_agent_live()
    {
        var webUrl = platform.App.GetEndpoint("web", "http");
        string? hint = null;
        await Eventually.HoldsAsync(() => (hint = platform.Logs.GetValueOrDefault("AiDevOps.AppHost")?.FirstOrDefault(l => l.Contains("Web UI: ", StringComparison.Ordinal))) is not null,
            "the AppHost's log line naming the Web UI", TimeSpan.FromSeconds(10));
        Assert.Contains($"Web UI: {webUrl.ToString().TrimEnd('/')}", hint, StringComparison.Ordinal);

        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.SignedInPageAsync(webUrl, "e2e", PlatformFixture.AgentKey);
        var agents = page.Locator("table").First;
        await Microsoft.Playwright.Assertions.Expect(agents).ToContainTextAsync(Aspire.Hosting.PlatformExtensions.LocalAgentId);
        await Microsoft.Playwright.Assertions.Expect(agents).ToContainTextAsync("healthy", new() { Timeout = 30_000 });
        // What the Agent says of itself with every delivery: its version.
        await Microsoft.Playwright.Assertions.Expect(agents.Locator("tbody td").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d+\.\d+"));
        var errors = platform.ErrorsOf("web");
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + platform.Tail("web"));
    }

    [Fact]
    public void Nothing_warns_about_a_development_certificate_as_everything_is_plain_http()
    {
        // The warning is also the red banner on every dashboard page (same check in Aspire's DcpHost).
        Assert.DoesNotContain(platform.Logs.SelectMany(category => category.Value),
            line => line.Contains("development certificate", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_brain_refuses_reads_without_a_key()
    {
        using var brain = platform.App.CreateHttpClient("brain");
        using var response = await brain.GetAsync("/api/anomalies");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// Reads DynamoDB itself, not the Brain's API: the samples must really be in the table. They are stored
    /// compressed, so the Brain's own storage code decodes them.
    /// </summary>
    private async Task<string> WaitForUpSamplesInDynamoDbAsync()
    {
        var endpoint = await platform.App.GetConnectionStringAsync("dynamodb");
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
            new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
        var store = new ChunkedSampleStore(
            new DynamoDbTable(dynamo, new BatchWriter(dynamo), TimeProvider.System, NullLogger<DynamoDbTable>.Instance),
            Options.Create(new StorageOptions()), TimeProvider.System);
        var deadline = DateTime.UtcNow + AlertTimeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var series in await store.FindSeriesAsync("default", "up", [], 100, CancellationToken.None))
            {
                if (series.Labels.GetValueOrDefault("job") != "node")
                    continue;
                // Up long enough that the model's get_series, a 15 s grid over the last minutes, shows it up before it went down.
                var samples = await store.LatestAsync("default", series.Id, 30, CancellationToken.None);
                if (samples.Count >= 2 && samples.All(s => s.Value == 1) && samples.Max(s => s.Timestamp) - samples.Min(s => s.Timestamp) >= UpBeforeStop.TotalMilliseconds)
                    return series.Labels["instance"];
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("No up samples of the node job reached DynamoDB.");
    }

    private async Task<T> WithLogsOnFailure<T>(Task<T> wait)
    {
        try
        {
            return await wait;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + platform.Tail("brain", "agent", "insights", "prometheus"), e);
        }
    }

    private HttpClient BrainClient()
    {
        var client = platform.App.CreateHttpClient("brain");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.AgentKey);
        return client;
    }
}
