using System.Globalization;
using System.Text;

namespace AiDevOps.Testing;

/// <summary>
/// Telegram's HTML parse mode as the Bot API reads it: tags from a short list, each closed in order; the named
/// entities <c>&amp;lt;</c>, <c>&amp;gt;</c>, <c>&amp;amp;</c>, <c>&amp;quot;</c> and numeric ones; a bare
/// <c>&lt;</c> is an error. It gives the text after entity parsing, which is what Telegram's 4096-character limit
/// counts. Stricter than Telegram in one way: a <c>&amp;</c> that starts no known entity is refused here, where
/// Telegram would show it literally, because for the platform's escaped output it can only mean a cut entity.
/// </summary>
public static class TelegramHtml
{
    /// <summary>The tags the Bot API accepts in HTML mode.</summary>
    public static readonly IReadOnlySet<string> BotApiTags = new HashSet<string>(StringComparer.Ordinal)
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code", "pre",
        "blockquote",
    };

    /// <summary>
    /// The text of <paramref name="html"/> after entity parsing. Throws <see cref="FormatException"/> worded like the
    /// Bot API's "can't parse entities" answers, with UTF-8 byte offsets as Telegram gives them.
    /// </summary>
    public static string Text(string html, IReadOnlySet<string>? allowedTags = null)
    {
        allowedTags ??= BotApiTags;
        var text = new StringBuilder(html.Length);
        var open = new Stack<string>();
        var i = 0;
        while (i < html.Length)
        {
            switch (html[i])
            {
                case '<':
                    var close = html.IndexOf('>', i);
                    if (close < 0)
                        throw new FormatException($"Unclosed start tag at byte offset {ByteOffset(html, i)}");
                    var tag = html[(i + 1)..close];
                    if (tag.StartsWith('/'))
                    {
                        var name = tag[1..].Trim();
                        if (!open.TryPeek(out var expected))
                            throw new FormatException($"Unexpected end tag at byte offset {ByteOffset(html, i)}");
                        if (name != expected)
                            throw new FormatException($"Unmatched end tag at byte offset {ByteOffset(html, i)}, expected \"</{expected}>\", found \"</{name}>\"");
                        open.Pop();
                    }
                    else
                    {
                        var name = tag.Split([' ', '\t', '\n', '\r'], 2)[0];
                        if (!allowedTags.Contains(name))
                            throw new FormatException($"Unsupported start tag \"{name}\" at byte offset {ByteOffset(html, i)}");
                        open.Push(name);
                    }
                    i = close + 1;
                    break;
                case '&':
                    var end = html.IndexOf(';', i);
                    var entity = end < 0 || end - i > 10 ? null : Decode(html[(i + 1)..end]);
                    if (entity is null)
                        throw new FormatException($"Can't find end of the entity starting at byte offset {ByteOffset(html, i)}");
                    text.Append(entity);
                    i = end + 1;
                    break;
                default:
                    text.Append(html[i++]);
                    break;
            }
        }
        if (open.TryPeek(out var unclosed))
            throw new FormatException($"Can't find end tag corresponding to start tag \"{unclosed}\"");
        return text.ToString();
    }

    private static string? Decode(string name) => name switch
    {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "quot" => "\"",
        ['#', 'x' or 'X', .. var hex] when int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) => CodePoint(code),
        ['#', .. var digits] when int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var code) => CodePoint(code),
        _ => null,
    };

    private static string? CodePoint(int code) =>
        code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(code) : null;

    private static int ByteOffset(string html, int index) => Encoding.UTF8.GetByteCount(html.AsSpan(0, index));
}
