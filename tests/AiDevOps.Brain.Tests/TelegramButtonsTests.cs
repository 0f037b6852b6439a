using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Brain.Alerting.Incidents;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Hosting;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// A Brain with its own bot token, polling the loopback Bot API for button presses, plus whatever a test sets; on a
/// dynalite the test owns.
/// </summary>
public sealed class TelegramBrainFactory(Uri dynamodb, Uri telegramApi, IReadOnlyDictionary<string, string> extra) : BrainFactory
{
    public const string Token = "555:brain-bot-token";

    protected override Task<IAsyncDisposable> StartStorageAsync(IDictionary<string, string> settings)
    {
        settings["ConnectionStrings:dynamodb"] = dynamodb.ToString();
        return Task.FromResult<IAsyncDisposable>(new NothingOwned());
    }

    private sealed class NothingOwned : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Telegram:BotToken", Token);
        builder.UseSetting("Telegram:ApiBaseUrl", telegramApi.ToString());
        foreach (var (key, value) in extra)
            builder.UseSetting(key, value);
    }
}

/// <summary>
/// The buttons under an incident's message work from the chats it was sent to, for the people allowed to press them,
/// and every press is answered; Telegram's flood limits are kept before sending; a route's forum topic is used.
/// </summary>
public sealed class TelegramButtonsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const long Chat = -100_1234;
    private const long Alice = 77;
    private FakeTelegramBotApi _telegram = null!;
    private DynaliteServer _dynalite = null!;

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        _telegram = await FakeTelegramBotApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _telegram.DisposeAsync();
        await _dynalite.DisposeAsync();
    }

    [Fact]
    public async Task Acknowledge_pressed_in_the_receivers_chat_acknowledges_the_incident_and_the_message_says_who()
    {
        await using var brain = await StartBrainAsync();
        using var client = await ClientWithReceiverAsync(brain);
        var (message, incidentId) = await FireAsync(client, "DiskAlmostFull");

        var press = _telegram.PressButton(Chat, Alice, "alice", message.MessageId, "ack:" + incidentId);

        Assert.Equal("Acknowledged", (await _telegram.WaitForAnswerAsync(press, Patience)).Text);
        var edit = await _telegram.WaitForEditAsync(e => e.MessageId == message.MessageId, Patience);
        Assert.Contains("Acknowledged by @alice (telegram)", edit.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(edit.Buttons ?? [], b => b.StartsWith("ack:", StringComparison.Ordinal));
        var incident = await IncidentAsync(client, incidentId);
        Assert.Equal(IncidentState.Acknowledged, StateOf(incident));
        Assert.Equal("@alice (telegram)", incident.GetProperty("acknowledgedBy").GetString());
    }

    [Fact]
    public async Task Silence_1_h_creates_a_silence_on_the_incidents_labels()
    {
        await using var brain = await StartBrainAsync();
        using var client = await ClientWithReceiverAsync(brain);
        var (message, incidentId) = await FireAsync(client, "LoadHigh");

        var press = _telegram.PressButton(Chat, Alice, null, message.MessageId, "s1h:" + incidentId, firstName: "Alice");

        Assert.Equal("Silenced for 1 h", (await _telegram.WaitForAnswerAsync(press, Patience)).Text);
        var silence = Assert.Single((await client.GetFromJsonAsync<JsonElement[]>("/api/silences"))!);
        Assert.Equal("{instance=\"LoadHigh-host\"}", silence.GetProperty("matchers").GetString());
        Assert.Equal("Alice (telegram)", silence.GetProperty("createdBy").GetString());
        Assert.Equal("active", silence.GetProperty("state").GetString());
        var ends = silence.GetProperty("endsAt").GetDateTimeOffset() - silence.GetProperty("startsAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromHours(1), ends);
        await _telegram.WaitForEditAsync(e => e.MessageId == message.MessageId && e.Text.Contains("Silenced until", StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task A_press_from_a_chat_that_is_not_a_receiver_changes_nothing_and_is_answered_not_allowed()
    {
        await using var brain = await StartBrainAsync();
        using var client = await ClientWithReceiverAsync(brain);
        var (message, incidentId) = await FireAsync(client, "ForeignChat");

        var ack = _telegram.PressButton(-100_9999, Alice, "alice", message.MessageId, "ack:" + incidentId);
        var silence = _telegram.PressButton(-100_9999, Alice, "alice", message.MessageId, "s24h:" + incidentId);

        Assert.Equal("Not allowed from this chat", (await _telegram.WaitForAnswerAsync(ack, Patience)).Text);
        Assert.Equal("Not allowed from this chat", (await _telegram.WaitForAnswerAsync(silence, Patience)).Text);
        await AssertUnchangedAsync(client, incidentId);
    }

    [Fact]
    public async Task A_press_from_a_user_not_allowed_changes_nothing_and_is_answered_not_allowed()
    {
        await using var brain = await StartBrainAsync();
        using var client = await ClientWithReceiverAsync(brain);
        var (message, incidentId) = await FireAsync(client, "StrangerPress");

        var ack = _telegram.PressButton(Chat, 666, "mallory", message.MessageId, "ack:" + incidentId);
        var silence = _telegram.PressButton(Chat, 666, "mallory", message.MessageId, "s1h:" + incidentId);

        Assert.Contains("not allowed", (await _telegram.WaitForAnswerAsync(ack, Patience)).Text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not allowed", (await _telegram.WaitForAnswerAsync(silence, Patience)).Text, StringComparison.OrdinalIgnoreCase);
        await AssertUnchangedAsync(client, incidentId);
    }

    [Fact]
    public async Task A_burst_to_one_group_chat_stays_within_its_per_minute_limit_and_the_wait_is_no_retry()
    {
        await using var brain = await StartBrainAsync(new() { ["Telegram:GroupMessagesPerMinute"] = "3" });
        using var client = await ClientWithReceiverAsync(brain);

        await PostAlertsAsync(client, [.. Enumerable.Range(1, 5).Select(i => ("Burst", $"burst-{i}"))]);

        await _telegram.WaitForMessageAsync(m => m.Text.Contains("burst-3", StringComparison.Ordinal), Patience);
        // The other two are stored and queued, waiting for the chat's minute, not failing.
        var pending = await WaitForAsync(async () =>
            (await client.GetFromJsonAsync<JsonElement[]>("/api/notifications?state=pending"))! is { Length: 2 } both ? both : null);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var sent = _telegram.Messages.Select(InstanceOf).ToList();
        Assert.Equal(3, sent.Count);
        Assert.Equal(3, sent.Distinct().Count());
        Assert.All(pending, p => Assert.Equal(0, p.GetProperty("attempts").GetInt32()));
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonElement[]>("/api/notifications?state=pending"))!, p => p.GetProperty("attempts").GetInt32() > 0);
    }

    [Fact]
    public async Task A_route_with_a_forum_topic_sends_into_that_topic()
    {
        await using var brain = await StartBrainAsync();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var receiverId = await AddReceiverAsync(client, Chat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var route = await client.PostAsJsonAsync("/api/alert-config/routes",
            new { selector = "{alertname=\"TopicAlert\"}", receivers = new[] { receiverId }, telegramThreadId = 42 });
        route.EnsureSuccessStatusCode();

        await PostAlertsAsync(client, [("TopicAlert", "db-7")]);

        var message = await _telegram.WaitForMessageAsync(m => m.Text.Contains("TopicAlert", StringComparison.Ordinal), Patience);
        Assert.Equal((Chat.ToString(System.Globalization.CultureInfo.InvariantCulture), 42), (message.ChatId, message.ThreadId));
    }

    [Fact]
    public void Options_name_the_setting_and_value_they_refuse()
    {
        var options = new TelegramOptions
        {
            Updates = "webhook",
            LongPollTimeout = TimeSpan.FromMinutes(5),
            AllowedUserIds = [-3],
            MessagesPerSecond = 0,
            GroupMessagesPerMinute = 100_000,
        };

        var errors = options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.StartsWith("Telegram:Updates 'webhook' must be polling or off", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.StartsWith("Telegram:LongPollTimeout '00:05:00'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.StartsWith("Telegram:AllowedUserIds has '-3'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.StartsWith("Telegram:MessagesPerSecond '0'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.StartsWith("Telegram:GroupMessagesPerMinute '100000'", StringComparison.Ordinal));
        Assert.Empty(new TelegramOptions().Validate(new ValidationContext(new TelegramOptions())));
    }

    private async Task<TelegramBrainFactory> StartBrainAsync(Dictionary<string, string>? settings = null)
    {
        settings ??= [];
        settings.TryAdd("Telegram:AllowedUserIds:0", Alice.ToString(System.Globalization.CultureInfo.InvariantCulture));
        settings.TryAdd("Telegram:AllowedUserIds:1", "78");
        var brain = new TelegramBrainFactory(_dynalite.Endpoint, _telegram.BaseUrl, settings);
        await brain.InitializeAsync();
        return brain;
    }

    private static async Task<HttpClient> ClientWithReceiverAsync(BrainFactory brain)
    {
        var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        await AddReceiverAsync(client, Chat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client;
    }

    private static async Task<string> AddReceiverAsync(HttpClient client, string chat)
    {
        // No secret: the receiver is reached with the Brain's bot, the one that hears the buttons.
        using var created = await client.PostAsJsonAsync("/api/alert-config/receivers", new { channel = "telegram", address = chat });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Fires an alert on its own host and returns its message and the incident id its Acknowledge button carries.</summary>
    private async Task<(SentMessage Message, string IncidentId)> FireAsync(HttpClient client, string alertName)
    {
        await PostAlertsAsync(client, [(alertName, alertName + "-host")]);
        var message = await _telegram.WaitForMessageAsync(m => m.Text.Contains(alertName, StringComparison.Ordinal), Patience);
        var ack = Assert.Single(message.Buttons ?? [], b => b.StartsWith("ack:", StringComparison.Ordinal));
        return (message, ack["ack:".Length..]);
    }

    private static async Task PostAlertsAsync(HttpClient client, (string AlertName, string Instance)[] alerts)
    {
        var postable = alerts.Select(a => new PostableAlert(new Dictionary<string, string> { ["alertname"] = a.AlertName, ["instance"] = a.Instance }, null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(10), null));
        using var posted = await client.PostAsJsonAsync("/api/v2/alerts", postable.ToArray());
        posted.EnsureSuccessStatusCode();
    }

    private async Task AssertUnchangedAsync(HttpClient client, string incidentId)
    {
        var incident = await IncidentAsync(client, incidentId);
        Assert.Equal(IncidentState.Open, StateOf(incident));
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("acknowledgedBy").ValueKind);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement[]>("/api/silences?state=all"))!);
        Assert.Empty(_telegram.Edits);
    }

    private static async Task<JsonElement> IncidentAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/incidents/{id}")).GetProperty("incident");

    private static IncidentState StateOf(JsonElement incident) => incident.GetProperty("state") is { ValueKind: JsonValueKind.Number } number
        ? (IncidentState)number.GetInt32()
        : Enum.Parse<IncidentState>(incident.GetProperty("state").GetString()!, ignoreCase: true);

    private static string InstanceOf(SentMessage message) =>
        System.Text.RegularExpressions.Regex.Match(message.Text, "burst-[0-9]").Value;

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await probe() is { } found)
                return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Nothing within {Patience}.");
    }
}
