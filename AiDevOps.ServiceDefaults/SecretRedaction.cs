using System.Text.RegularExpressions;

namespace Microsoft.Extensions.Hosting;

/// <summary>Keeps credentials that services put into URLs out of traces and logs.</summary>
public static partial class SecretRedaction
{
    public const string Redacted = "[REDACTED]";

    /// <summary>
    /// Marks a request whose URL is itself a credential (a Slack or generic webhook URL): its traces keep only the
    /// scheme and host.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> UrlIsSecret = new("AiDevOps.UrlIsSecret");

    /// <summary>The URL of an outgoing request as traces may show it.</summary>
    public static string RedactUrl(HttpRequestMessage request) => request.RequestUri switch
    {
        null => "",
        { IsAbsoluteUri: true } uri when request.Options.TryGetValue(UrlIsSecret, out var secret) && secret =>
            $"{uri.Scheme}://{uri.Authority}/{Redacted}",
        var uri => RedactUrl(uri),
    };

    /// <summary>
    /// Drops user info and the query string, and masks a Telegram bot token, which the Bot API puts into the path
    /// (<c>/bot&lt;token&gt;/method</c>).
    /// </summary>
    public static string RedactUrl(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
            return BotTokenInPath().Replace(uri.OriginalString.Split('?')[0], "/bot" + Redacted + "/");
        var path = BotTokenInPath().Replace(uri.AbsolutePath, "/bot" + Redacted + "/");
        var query = uri.Query.Length > 0 ? "?" + Redacted : "";
        return $"{uri.Scheme}://{uri.Authority}{path}{query}";
    }

    [GeneratedRegex("/bot[^/]+/", RegexOptions.CultureInvariant)]
    private static partial Regex BotTokenInPath();
}
