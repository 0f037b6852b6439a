using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AiDevOps.Testing;

/// <summary>A request a fake server received, with the status it answered.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>
/// What the HTTP fakes share: every request is recorded, and a test can have the next ones refused with a status of
/// its choice (each fake answers it the way its service does), so tests assert on what a client actually sent and
/// on how it took each answer.
/// </summary>
public sealed class RecordedRequests
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentQueue<int> _refusals = new();

    public IReadOnlyList<ReceivedRequest> All => _received.ToArray();

    /// <summary>The next <paramref name="times"/> requests are answered with <paramref name="status"/>.</summary>
    public void RefuseNext(int status, int times = 1)
    {
        for (var i = 0; i < times; i++)
            _refusals.Enqueue(status);
    }

    /// <summary>
    /// Records <paramref name="request"/> and says how to answer it: with a refusal when one is due (without a
    /// reason), else as <paramref name="judge"/> decides from the body (a status and, for a refusal, the service's reason).
    /// </summary>
    public async Task<(int Status, string? Reason)> RecordAsync(HttpRequest request, Func<string, (int Status, string? Reason)> judge)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var answer = _refusals.TryDequeue(out var refusal) ? (refusal, null) : judge(body);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        _received.Enqueue(new ReceivedRequest(request.Method, request.Path + request.QueryString, headers, body, answer.Item1));
        return answer;
    }

    public async Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_received.FirstOrDefault(predicate) is { } request)
                return request;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No matching request within {timeout}. Received: {string.Join(" | ", _received.Select(r => $"{r.Method} {r.Path} {r.AnsweredStatus} {r.Body}"))}");
    }

    /// <summary>Whether a body is a JSON object; the services refuse anything else.</summary>
    public static bool TryParseObject(string body, out JsonElement json)
    {
        json = default;
        try
        {
            json = JsonDocument.Parse(body).RootElement.Clone();
            return json.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
