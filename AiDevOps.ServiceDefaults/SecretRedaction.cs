using System.Text.RegularExpressions;

namespace Microsoft.Extensions.Hosting;

/// <summary>Keeps credentials that services put into URLs out of traces and logs.</summary>
public static partial class SecretRedaction
{
    public const string Redacted = "[REDACTED]";

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
