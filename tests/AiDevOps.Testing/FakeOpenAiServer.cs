using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Testing;

/// <summary>
/// An OpenAI-compatible chat server on a free loopback port: answers <c>POST /v1/chat/completions</c> (non-streaming)
/// with a configurable reply, records every request, and can be told to fail or to answer late. Tests can script the
/// next answers, tool calls included (<see cref="Script"/>), and the same server answers Azure OpenAI's route
/// (<c>/openai/deployments/{deployment}/chat/completions</c>).
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string DefaultReply = "The fake model's summary.";

    private LoopbackApp _app = null!;
    private readonly Lock _gate = new();
    private readonly List<RecordedChatRequest> _requests = [];
    private string _reply = DefaultReply;
    private int? _failureStatus;
    private TimeSpan _delay;
    private readonly Queue<ScriptedReply> _script = new();

    private FakeOpenAiServer()
    {
    }

    /// <summary>The API root, ending in <c>/v1</c>, as OpenAI clients expect their endpoint.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The assistant's message content in every successful answer.</summary>
    public string Reply
    {
        get { lock (_gate) return _reply; }
        set { lock (_gate) _reply = value; }
    }

    /// <summary>When set, every request is answered with this status and an OpenAI-style error body.</summary>
    public int? FailureStatus
    {
        get { lock (_gate) return _failureStatus; }
        set { lock (_gate) _failureStatus = value; }
    }

    /// <summary>How long to wait before answering, to exercise client timeouts.</summary>
    public TimeSpan Delay
    {
        get { lock (_gate) return _delay; }
        set { lock (_gate) _delay = value; }
    }

    /// <summary>Every request received so far, in arrival order, including failed and delayed ones.</summary>
    public IReadOnlyList<RecordedChatRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    /// <summary>The server's root, as Azure OpenAI clients expect their endpoint.</summary>
    public Uri RootUrl => _app.Address;

    /// <summary>
    /// Answers the next requests with these replies in order (one each), before falling back to <see cref="Reply"/>:
    /// e.g. first a message with tool calls, then the final text once the client sent the tools' results.
    /// </summary>
    public void Script(params ScriptedReply[] replies)
    {
        lock (_gate)
            foreach (var reply in replies)
                _script.Enqueue(reply);
    }

    public static async Task<FakeOpenAiServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new FakeOpenAiServer();
        server._app = await LoopbackApp.StartAsync(
            app =>
            {
                app.MapPost("/v1/chat/completions", (HttpRequest request) => server.AnswerAsync(request));
                app.MapPost("/openai/deployments/{deployment}/chat/completions", (HttpRequest request) => server.AnswerAsync(request));
            },
            cancellationToken);
        server.BaseUrl = new Uri(server._app.Address, "v1");
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> AnswerAsync(HttpRequest request)
    {
        // Read the raw stream rather than binding: clients may send the body chunked, without a Content-Length.
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        JsonElement json;
        try
        {
            using var document = JsonDocument.Parse(body);
            json = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", exception.Message);
        }

        ScriptedReply reply;
        int? failureStatus;
        TimeSpan delay;
        lock (_gate)
        {
            _requests.Add(new RecordedChatRequest(
                body, json, request.Headers.Authorization.ToString(), request.Path.Value ?? "", request.Headers["api-key"].ToString()));
            reply = _script.TryDequeue(out var scripted) ? scripted : new ScriptedReply(_reply);
            (failureStatus, delay) = (_failureStatus, _delay + reply.Delay);
        }

        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, request.HttpContext.RequestAborted);
        if (failureStatus is { } status)
            return Error(status, "server_error", "The fake model server was told to fail.");
        if (json.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "The fake model server does not stream.");

        var model = json.TryGetProperty("model", out var requested) ? requested.GetString() : null;
        return Results.Content(Completion(model ?? "fake-model", reply).ToJsonString(), "application/json");
    }

    private static JsonObject Completion(string model, ScriptedReply reply) => new()
    {
        ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
        ["object"] = "chat.completion",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = Message(reply),
            ["finish_reason"] = reply.ToolCalls is { Count: > 0 } ? "tool_calls" : "stop",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 0, ["completion_tokens"] = 0, ["total_tokens"] = 0 },
    };

    private static JsonObject Message(ScriptedReply reply)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = reply.Content };
        if (reply.ToolCalls is { Count: > 0 } calls)
            message["tool_calls"] = new JsonArray([.. calls.Select((call, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"call_{Guid.NewGuid():N}"[..20] + i,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.Function, ["arguments"] = call.Arguments },
            })]);
        return message;
    }

    private static IResult Error(int status, string type, string message) => Results.Content(
        new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type } }.ToJsonString(),
        "application/json",
        statusCode: status);
}

/// <summary>One scripted answer: text, or tool calls (then usually no text), optionally late.</summary>
public sealed record ScriptedReply(string? Content, IReadOnlyList<ScriptedToolCall>? ToolCalls = null, TimeSpan Delay = default)
{
    public static ScriptedReply Calls(params ScriptedToolCall[] calls) => new(null, calls);
}

/// <param name="Function">The function's name as the client declared it, e.g. Semantic Kernel's <c>plugin-function</c>.</param>
/// <param name="Arguments">The arguments as a JSON object in a string, as OpenAI sends them.</param>
public sealed record ScriptedToolCall(string Function, string Arguments = "{}");

/// <param name="Body">The request body exactly as received.</param>
/// <param name="Json">The parsed body; a detached copy, so nothing needs disposing.</param>
/// <param name="Authorization">The Authorization header, empty when none was sent.</param>
/// <param name="Path">The path the request was sent to.</param>
/// <param name="ApiKey">Azure OpenAI's <c>api-key</c> header, empty when none was sent.</param>
public sealed record RecordedChatRequest(string Body, JsonElement Json, string Authorization, string Path = "", string ApiKey = "")
{
    /// <summary>The names of the tools the client offered, empty when it offered none.</summary>
    public IReadOnlyList<string> ToolNames =>
        Json.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array
            ? [.. tools.EnumerateArray().Select(tool => tool.GetProperty("function").GetProperty("name").GetString() ?? "")]
            : [];

    /// <summary>The content of every <c>tool</c> message: the results the client sent back for the model's tool calls.</summary>
    public IReadOnlyList<string> ToolResults =>
        Json.TryGetProperty("messages", out var messages)
            ? [.. messages.EnumerateArray()
                .Where(message => message.TryGetProperty("role", out var role) && role.GetString() == "tool")
                .Select(message => message.TryGetProperty("content", out var content) ? ContentText(content) : "")]
            : [];

    /// <summary>The content of every message in the request, in order, e.g. the system then the user prompt.</summary>
    public IReadOnlyList<string> MessageContents =>
        Json.TryGetProperty("messages", out var messages)
            ? [.. messages.EnumerateArray().Select(message => message.TryGetProperty("content", out var content) ? ContentText(content) : "")]
            : [];

    private static string ContentText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        // The newer wire form: an array of parts such as {"type":"text","text":"…"}.
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Select(part => part.TryGetProperty("text", out var text) ? text.GetString() : "")),
        _ => "",
    };
}
