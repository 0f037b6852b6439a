using System.Text;
using System.Text.Encodings.Web;

namespace AiDevOps.Brain.Alerting.Templates;

/// <summary>
/// Escapes what a template outputs from data with exactly the named entities a channel decodes, and nothing else:
/// Telegram's HTML knows only four, Slack's mrkdwn three, and a numeric entity such as <c>&amp;#x27;</c>, which
/// <see cref="HtmlEncoder"/> writes for an apostrophe, would show literally in Slack. Everything else, emoji and
/// new lines included, is left as it is.
/// </summary>
public sealed class MarkupEncoder : TextEncoder
{
    /// <summary>Telegram's HTML parse mode: &amp; &lt; &gt; &quot;.</summary>
    public static readonly MarkupEncoder Telegram = new("&<>\"");

    /// <summary>Slack mrkdwn: &amp; &lt; &gt; (a link or a mention starts with &lt;).</summary>
    public static readonly MarkupEncoder Slack = new("&<>");

    /// <summary>HTML for e-mail: text and attribute values alike.</summary>
    public static readonly MarkupEncoder Html = new("&<>\"'");

    private readonly string _escaped;

    private MarkupEncoder(string escaped) => _escaped = escaped;

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar < 128 && _escaped.Contains((char)unicodeScalar, StringComparison.Ordinal);

    public override string Encode(string value)
    {
        if (value.AsSpan().IndexOfAny(_escaped) < 0)
            return value;
        var encoded = new StringBuilder(value.Length + 16);
        foreach (var c in value)
            encoded.Append(Entity(c) ?? c.ToString());
        return encoded.ToString();
    }

    public override void Encode(TextWriter output, string value, int startIndex, int characterCount) =>
        output.Write(Encode(value.Substring(startIndex, characterCount)));

    public override void Encode(TextWriter output, char[] value, int startIndex, int characterCount) =>
        output.Write(Encode(new string(value, startIndex, characterCount)));

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(_escaped);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var entity = unicodeScalar < 128 ? Entity((char)unicodeScalar) : null;
        var text = entity ?? char.ConvertFromUtf32(unicodeScalar);
        if (text.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        text.AsSpan().CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = text.Length;
        return true;
    }

    private string? Entity(char c) => !_escaped.Contains(c, StringComparison.Ordinal) ? null : c switch
    {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => null,
    };
}
