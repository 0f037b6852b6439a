using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Testing;

/// <summary>A message the fake Bot API received through <c>sendMessage</c>, or an edit through <c>editMessageText</c>.</summary>
/// <param name="Silent">Sent with <c>disable_notification</c>: it arrives without a sound.</param>
/// <param name="MessageId">The id the fake gave the message (for an edit: the message edited).</param>
/// <param name="ReplyTo">The message it answers (<c>reply_parameters.message_id</c>).</param>
/// <param name="ThreadId">The forum topic (<c>message_thread_id</c>).</param>
/// <param name="Buttons">The callback data of its inline keyboard's buttons, in order.</param>
public sealed record SentMessage(
    string Token, string ChatId, string Text, string? ParseMode, bool Silent = false, int MessageId = 0, int? ReplyTo = null,
    int? ThreadId = null, IReadOnlyList<string>? Buttons = null);

/// <summary>A button press a test queues: someone in a chat pressed a button under one of the bot's messages.</summary>
public sealed record QueuedCallback(string Id, long ChatId, long UserId, string? Username, int MessageId, string Data, string FirstName = "Tester");

/// <summary>A callback query the bot answered through <c>answerCallbackQuery</c>.</summary>
public sealed record CallbackAnswer(string CallbackQueryId, string? Text);

/// <summary>
/// A loopback server speaking the Telegram Bot API wire protocol (<c>POST /bot&lt;token&gt;/&lt;method&gt;</c>, JSON
/// or form bodies, <c>{"ok":…}</c> answers). It records every sendMessage and can be told to answer 429 first, so
/// tests assert on what a real bot client actually sent. Like Telegram, it refuses with 400 a message whose HTML
/// does not parse (<see cref="TelegramHtml"/>) or whose text is empty or over 4096 characters after entity parsing;
/// refused messages are kept apart in <see cref="Refused"/>. Tests queue button presses (<see cref="PressButton"/>),
/// which <c>getUpdates</c> hands out as Telegram does: each update until a call's <c>offset</c> passes it, waiting
/// (briefly) for one when there is none; <c>answerCallbackQuery</c> calls are recorded in <see cref="Answers"/>.
/// </summary>
public sealed class FakeTelegramBotApi : IAsyncDisposable
{
    private LoopbackApp _app = null!;
    private readonly ConcurrentQueue<SentMessage> _messages = new();
    private readonly ConcurrentQueue<SentMessage> _edits = new();
    private readonly ConcurrentQueue<(SentMessage Message, string Description)> _refused = new();
    private readonly ConcurrentQueue<string> _unmatched = new();
    private int _rateLimitsLeft;
    private int _nextMessageId = 1;
    private readonly ConcurrentDictionary<string, byte> _rejectedChats = new();
    private int _rejectedCalls;
    private readonly List<(int UpdateId, QueuedCallback Callback)> _updates = [];
    private readonly ConcurrentQueue<CallbackAnswer> _answers = new();
    private int _nextUpdateId = 1000;
    private int _updatePolls;
    private TaskCompletionSource _updateQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The longest a getUpdates waits for an update here, whatever <c>timeout</c> it asks: tests stay quick.</summary>
    public static readonly TimeSpan MaxLongPoll = TimeSpan.FromSeconds(1);

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyCollection<SentMessage> Messages => _messages.ToArray();

    /// <summary>Every editMessageText that changed a message, in order.</summary>
    public IReadOnlyCollection<SentMessage> Edits => _edits.ToArray();

    /// <summary>Messages answered 400, with the Bot API's description.</summary>
    public IReadOnlyCollection<(SentMessage Message, string Description)> Refused => _refused.ToArray();

    /// <summary>The longest message text Telegram accepts, in UTF-16 code units after entity parsing.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>The next <paramref name="count"/> calls are refused with 429 and <c>retry_after</c>.</summary>
    public void RateLimitNext(int count) => Interlocked.Exchange(ref _rateLimitsLeft, count);

    /// <summary>Messages to this chat are refused for good, as Telegram refuses a chat the bot cannot write to.</summary>
    public void RejectChat(string chatId) => _rejectedChats[chatId] = 0;

    /// <summary>How many calls were refused because of <see cref="RejectChat"/>.</summary>
    public int RejectedCalls => _rejectedCalls;

    /// <summary>Every answerCallbackQuery, in order.</summary>
    public IReadOnlyCollection<CallbackAnswer> Answers => _answers.ToArray();

    /// <summary>How many getUpdates calls arrived.</summary>
    public int UpdatePolls => _updatePolls;

    /// <summary>Queues a button press for getUpdates to hand out; returns the callback query's id.</summary>
    public string PressButton(long chatId, long userId, string? username, int messageId, string data, string firstName = "Tester")
    {
        lock (_updates)
        {
            var updateId = ++_nextUpdateId;
            var callback = new QueuedCallback("cb" + updateId, chatId, userId, username, messageId, data, firstName);
            _updates.Add((updateId, callback));
            _updateQueued.TrySetResult();
            return callback.Id;
        }
    }

    public async Task<CallbackAnswer> WaitForAnswerAsync(string callbackQueryId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_answers.FirstOrDefault(a => a.CallbackQueryId == callbackQueryId) is { } answer)
                return answer;
            await Task.Delay(100);
        }
        throw new TimeoutException(
            $"Callback {callbackQueryId} not answered within {timeout} ({_updatePolls} getUpdates calls). Answered: {string.Join(" | ", _answers)}");
    }

    public async Task<SentMessage> WaitForEditAsync(Func<SentMessage, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_edits.FirstOrDefault(predicate) is { } edit)
                return edit;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No matching editMessageText within {timeout}. Edits: {string.Join(" | ", _edits.Select(m => m.Text))}");
    }

    public static async Task<FakeTelegramBotApi> StartAsync()
    {
        var fake = new FakeTelegramBotApi();
        fake._app = await LoopbackApp.StartAsync(app =>
        {
            // Not "/bot{token}": ASP.NET matches a complex segment from the right, so a token containing "bot" would miss.
            app.MapPost("/{botToken}/{method}", (string botToken, string method, HttpRequest request) =>
                botToken.StartsWith("bot", StringComparison.Ordinal)
                    ? fake.HandleAsync(botToken["bot".Length..], method, request)
                    : Task.FromResult(fake.NotFound(request)));
            app.MapFallback((HttpRequest request) => fake.NotFound(request));
        });
        fake.BaseUrl = fake._app.Address;
        return fake;
    }

    public async Task<SentMessage> WaitForMessageAsync(Func<SentMessage, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_messages.FirstOrDefault(predicate) is { } message)
                return message;
            await Task.Delay(100);
        }
        throw new TimeoutException(
            $"No matching sendMessage within {timeout}. Received: {string.Join(" | ", _messages.Select(m => m.Text))}. "
            + $"Requests outside the Bot API: {string.Join(", ", _unmatched)}");
    }

    private IResult NotFound(HttpRequest request)
    {
        _unmatched.Enqueue($"{request.Method} {request.Path}");
        return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 404, ["description"] = "Not Found" }, statusCode: 404);
    }

    private async Task<IResult> HandleAsync(string token, string method, HttpRequest request)
    {
        // Polling runs beside the sends: the 429s a test asks for are meant for what the bot sends, not for its polls.
        if (method.Equals("getUpdates", StringComparison.OrdinalIgnoreCase))
            return await GetUpdatesAsync(await ReadBodyAsync(request), request.HttpContext.RequestAborted);
        if (Interlocked.Decrement(ref _rateLimitsLeft) >= 0)
        {
            return Results.Json(new JsonObject
            {
                ["ok"] = false,
                ["error_code"] = 429,
                ["description"] = "Too Many Requests: retry after 1",
                ["parameters"] = new JsonObject { ["retry_after"] = 1 },
            }, statusCode: 429);
        }

        var body = await ReadBodyAsync(request);
        if (method.Equals("answerCallbackQuery", StringComparison.OrdinalIgnoreCase))
        {
            _answers.Enqueue(new CallbackAnswer(body["callback_query_id"]?.ToString() ?? "", body["text"]?.ToString()));
            return Results.Json(new JsonObject { ["ok"] = true, ["result"] = true });
        }
        var edit = method.Equals("editMessageText", StringComparison.OrdinalIgnoreCase);
        if (!edit && !method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase))
            return Results.Json(new JsonObject { ["ok"] = true, ["result"] = true });

        var chatId = body["chat_id"]?.ToString() ?? "";
        if (_rejectedChats.ContainsKey(chatId))
        {
            Interlocked.Increment(ref _rejectedCalls);
            return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 400, ["description"] = "Bad Request: chat not found" }, statusCode: 400);
        }
        var text = body["text"]?.ToString() ?? "";
        var message = new SentMessage(token, chatId, text, body["parse_mode"]?.ToString(),
            string.Equals(body["disable_notification"]?.ToString(), "true", StringComparison.OrdinalIgnoreCase),
            edit ? Number(body["message_id"]) ?? 0 : 0,
            Number(Json(body["reply_parameters"])?["message_id"]),
            Number(body["message_thread_id"]),
            Json(body["reply_markup"])?["inline_keyboard"]?.AsArray().SelectMany(row => row!.AsArray()).Select(b => b!["callback_data"]!.ToString()).ToList());
        if (Refusal(message) is { } description)
        {
            _refused.Enqueue((message, description));
            return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 400, ["description"] = description }, statusCode: 400);
        }
        if (edit)
        {
            // Like Telegram: an edit to the text and buttons the message already has is refused.
            var current = _edits.LastOrDefault(e => e.ChatId == chatId && e.MessageId == message.MessageId)
                ?? _messages.FirstOrDefault(m => m.ChatId == chatId && m.MessageId == message.MessageId);
            if (current is null)
                return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 400, ["description"] = "Bad Request: message to edit not found" }, statusCode: 400);
            if (current.Text == message.Text && (current.Buttons ?? []).SequenceEqual(message.Buttons ?? []))
                return Results.Json(new JsonObject { ["ok"] = false, ["error_code"] = 400, ["description"] = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message" }, statusCode: 400);
            _edits.Enqueue(message);
            return Results.Json(new JsonObject { ["ok"] = true, ["result"] = MessageJson(message.MessageId, chatId, text) });
        }
        message = message with { MessageId = Interlocked.Increment(ref _nextMessageId) };
        _messages.Enqueue(message);
        return Results.Json(new JsonObject { ["ok"] = true, ["result"] = MessageJson(message.MessageId, chatId, text) });
    }

    /// <summary>
    /// Like Telegram: updates below <c>offset</c> are confirmed and gone; the rest are handed out (up to <c>limit</c>),
    /// and with none left the call waits up to its <c>timeout</c> (here at most <see cref="MaxLongPoll"/>) for one.
    /// </summary>
    private async Task<IResult> GetUpdatesAsync(JsonObject body, CancellationToken aborted)
    {
        Interlocked.Increment(ref _updatePolls);
        var offset = Number(body["offset"]) ?? 0;
        var limit = Number(body["limit"]) is { } asked and > 0 ? asked : 100;
        var wait = TimeSpan.FromSeconds(Number(body["timeout"]) ?? 0);
        var deadline = DateTime.UtcNow + (wait < MaxLongPoll ? wait : MaxLongPoll);
        while (true)
        {
            Task queued;
            List<(int UpdateId, QueuedCallback Callback)> ready;
            lock (_updates)
            {
                _updates.RemoveAll(u => u.UpdateId < offset);
                ready = _updates.Take(limit).ToList();
                if (_updateQueued.Task.IsCompleted)
                    _updateQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
                queued = _updateQueued.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (ready.Count > 0 || left <= TimeSpan.Zero)
                return Results.Json(new JsonObject { ["ok"] = true, ["result"] = new JsonArray([.. ready.Select(u => UpdateJson(u.UpdateId, u.Callback))]) });
            try
            {
                await queued.WaitAsync(left, aborted);
            }
            catch (TimeoutException)
            {
                // Nothing came: answered empty on the next turn.
            }
            catch (OperationCanceledException)
            {
                return Results.Empty;
            }
        }
    }

    private static JsonObject UpdateJson(int updateId, QueuedCallback callback)
    {
        var from = new JsonObject { ["id"] = callback.UserId, ["is_bot"] = false, ["first_name"] = callback.FirstName };
        if (callback.Username is not null)
            from["username"] = callback.Username;
        var message = MessageJson(callback.MessageId, callback.ChatId.ToString(System.Globalization.CultureInfo.InvariantCulture), "…");
        message["chat"]!["type"] = callback.ChatId < 0 ? "supergroup" : "private";
        return new JsonObject
        {
            ["update_id"] = updateId,
            ["callback_query"] = new JsonObject
            {
                ["id"] = callback.Id,
                ["from"] = from,
                ["message"] = message,
                ["chat_instance"] = "ci" + callback.ChatId,
                ["data"] = callback.Data,
            },
        };
    }

    private static JsonObject MessageJson(int messageId, string chatId, string text)
    {
        // Telegram answers with the chat's numeric id even when it was addressed by @channel name.
        var chat = long.TryParse(chatId, out var id) ? id : -1_000_000_000_000 - Math.Abs((long)chatId.GetHashCode(StringComparison.Ordinal));
        return new JsonObject
        {
            ["message_id"] = messageId,
            ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["chat"] = new JsonObject { ["id"] = chat, ["type"] = id == chat ? "private" : "channel" },
            ["text"] = text,
        };
    }

    /// <summary>A field a form body carries as JSON text and a JSON body as an object.</summary>
    private static JsonNode? Json(JsonNode? field) => field is JsonValue value && value.TryGetValue<string>(out var text) ? JsonNode.Parse(text) : field;

    private static int? Number(JsonNode? field) => int.TryParse(field?.ToString(), out var number) ? number : null;

    /// <summary>Why Telegram would answer 400 to this message, in its words; null when it would send it.</summary>
    private static string? Refusal(SentMessage message)
    {
        string text;
        try
        {
            text = string.Equals(message.ParseMode, "html", StringComparison.OrdinalIgnoreCase) ? TelegramHtml.Text(message.Text) : message.Text;
        }
        catch (FormatException e)
        {
            return "Bad Request: can't parse entities: " + e.Message;
        }
        if (string.IsNullOrWhiteSpace(text))
            return "Bad Request: message text is empty";
        return text.Length > MaxTextLength ? "Bad Request: message is too long" : null;
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var fields = new JsonObject();
            foreach (var (key, value) in form)
                fields[key] = value.ToString();
            return fields;
        }
        using var json = await JsonDocument.ParseAsync(request.Body);
        return JsonNode.Parse(json.RootElement.GetRawText())!.AsObject();
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
