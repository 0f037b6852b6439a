using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiDevOps.Contracts;

namespace AiDevOps.Brain.Alerting.Notifiers;

/// <summary>
/// What the HTTP channels share: one JSON POST and what its answer means. 2xx is delivered; rate limits (429), a
/// request timeout (408), server errors and the network are worth trying again; any other status is final. Each
/// channel posts with a named client (<see cref="ClientName"/>) that neither retries (the dispatcher does) nor logs
/// requests (the URL can be the credential); a request marked as having a secret URL is redacted in traces too.
/// Error messages name the service, the status and what it said, never the URL or a key.
/// </summary>
public static class JsonPost
{
    public const string MediaType = "application/json";

    /// <summary>The longest URL a receiver may post to.</summary>
    public const int MaxUrlLength = 2048;

    private const int MaxExcerpt = 200;

    /// <summary>The IHttpClientFactory name of a channel's client.</summary>
    public static string ClientName(string channel) => "notifier-" + channel;

    /// <summary>Whether a receiver's secret is a URL this channel can post to: absolute http or https, of a sane length.</summary>
    public static bool IsPostableUrl(string? secret) => secret is { Length: <= MaxUrlLength } && HttpUrl.IsValid(secret);

    /// <summary>A POST of <paramref name="body"/>, sent with a Content-Length (some webhook receivers refuse chunked bodies).</summary>
    public static HttpRequestMessage Request<T>(Uri url, T body, bool secretUrl)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (secretUrl)
            request.Options.Set(SecretRedaction.UrlIsSecret, true);
        return request;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and says what came of it; <paramref name="secrets"/> are masked in whatever
    /// the answer or the error says.
    /// </summary>
    public static async Task<NotifyResult> SendAsync(
        HttpClient http, HttpRequestMessage request, string service, IReadOnlyCollection<string> secrets, CancellationToken ct)
    {
        try
        {
            // Headers first: an answer is read only as far as the excerpt needs, however large it is.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.IsSuccessStatusCode)
                return NotifyResult.Success;
            var status = (int)response.StatusCode;
            var error = $"{service} answered {status} {response.ReasonPhrase}{RetryAfter(response)}: {await ExcerptAsync(response, secrets, ct)}";
            return IsWorthRetrying(response.StatusCode)
                ? NotifyResult.Retry(Mask(error, secrets), Backoff.RequestedBy(response))
                : NotifyResult.Fail(Mask(error, secrets));
        }
        catch (HttpRequestException e)
        {
            return NotifyResult.Retry(Mask($"{service} unreachable: {e.Message}", secrets));
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return NotifyResult.Retry($"{service} did not answer within {http.Timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>What of a URL that is a credential must never be repeated: all of it, its path and query, its user info.</summary>
    public static string[] SecretParts(Uri url) => new[] { url.OriginalString, url.PathAndQuery, url.UserInfo }.Where(p => p.Length > 1).ToArray();

    public static bool IsWorthRetrying(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>What a service asked for (Slack and PagerDuty send it with 429), said in the error as well as honoured.</summary>
    private static string RetryAfter(HttpResponseMessage response) =>
        Backoff.RequestedBy(response) is { } after ? $" (Retry-After {after.TotalSeconds:0} s)" : "";

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, IReadOnlyCollection<string> secrets, CancellationToken ct)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var buffer = new char[4 * MaxExcerpt];
        var read = await reader.ReadBlockAsync(buffer, ct);
        var text = Mask(new string(buffer, 0, read), secrets);
        var line = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length == 0 ? "(no body)" : AlertText.Shorten(line, MaxExcerpt);
    }

    private static string Mask(string text, IReadOnlyCollection<string> secrets) =>
        secrets.Where(s => s.Length > 1).Aggregate(text, (masked, secret) => masked.Replace(secret, "***", StringComparison.Ordinal));
}
