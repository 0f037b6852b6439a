using System.Globalization;
using System.Text;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Makes any text a template rendered into HTML Telegram accepts, within its 4,096 characters after entity parsing.
/// It walks the markup: a tag of the Bot API's list is kept (and closed if the template left it open), any other
/// <c>&lt;…&gt;</c> is shown as text, a <c>&lt;br&gt;</c> becomes a new line, an end tag that closes nothing is
/// dropped, a <c>&amp;</c> that starts no entity Telegram knows is escaped. Too long, the text is cut (at a sentence
/// or a word, as <see cref="AlertText.Shorten"/> cuts) between two characters or entities, never inside a tag or an
/// entity, and the tags still open are closed, so what reads last in a template gives way first.
/// </summary>
public static class TelegramHtmlFit
{
    /// <summary>The tags Telegram's HTML parse mode accepts.</summary>
    public static readonly IReadOnlySet<string> Tags = new HashSet<string>(StringComparer.Ordinal)
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji", "code", "pre",
        "blockquote",
    };

    /// <summary>What a rendered template becomes: the HTML to send, and whether the template's own output was already valid and short enough.</summary>
    public sealed record Result(string Html, int Length, bool WasValid, bool Truncated)
    {
        /// <summary>Nothing to read once tags are gone: Telegram refuses an empty message.</summary>
        public bool IsEmpty => Length == 0;
    }

    private enum Kind { Text, Open, Close }

    /// <param name="Html">What is written.</param>
    /// <param name="Text">The characters it stands for (text and entities); empty for a tag.</param>
    private readonly record struct Token(Kind Kind, string Html, string Text, string? Tag = null);

    public static Result Fit(string html, int maxLength = TelegramMessageFormatter.MaxLength)
    {
        var (tokens, valid) = Tokenize(AlertText.Clean(html));
        var text = string.Concat(tokens.Select(t => t.Text));
        // Surrounding blank lines are trimmed, as Telegram does.
        var start = text.Length - text.TrimStart().Length;
        var end = text.TrimEnd().Length;
        if (end <= start)
            return new Result(Write(tokens, 0, 0, ""), 0, false, false);

        var trimmed = text[start..end];
        var shortened = AlertText.Shorten(trimmed, maxLength);
        var kept = shortened.Length == trimmed.Length ? trimmed.Length : KeptPrefix(shortened);
        var suffix = shortened.Length == trimmed.Length ? "" : shortened[kept..];
        var output = Write(tokens, start, start + kept, TelegramMessageFormatter.Escape(suffix));
        return new Result(output, kept + suffix.Length, valid && kept == trimmed.Length, kept < trimmed.Length);
    }

    /// <summary>How much of the text a shortened one keeps before its " …".</summary>
    private static int KeptPrefix(string shortened)
    {
        var kept = shortened[..^AlertText.Ellipsis.Length];
        return kept.EndsWith(' ') ? kept.Length - 1 : kept.Length;
    }

    /// <summary>
    /// The tokens whose text lies within [<paramref name="from"/>, <paramref name="to"/>) (a token partly outside is left
    /// out whole), every tag in between, then <paramref name="suffix"/> and the end tags of what is still open.
    /// </summary>
    private static string Write(List<Token> tokens, int from, int to, string suffix)
    {
        var html = new StringBuilder();
        var open = new Stack<string>();
        var at = 0;
        var suffixWritten = false;
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case Kind.Open when at < to:
                    html.Append(token.Html);
                    open.Push(token.Tag!);
                    break;
                case Kind.Close when open.Count > 0 && open.Peek() == token.Tag:
                    if (at >= to && !suffixWritten)
                    {
                        html.Append(suffix);
                        suffixWritten = true;
                    }
                    html.Append(token.Html);
                    open.Pop();
                    break;
                case Kind.Text:
                    if (at >= from && at + token.Text.Length <= to)
                        html.Append(token.Html);
                    at += token.Text.Length;
                    break;
            }
        }
        if (!suffixWritten)
            html.Append(suffix);
        while (open.TryPop(out var tag))
            html.Append("</").Append(tag).Append('>');
        return html.ToString();
    }

    private static (List<Token> Tokens, bool Valid) Tokenize(string html)
    {
        var tokens = new List<Token>();
        var open = new List<string>();
        var valid = true;
        var i = 0;
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '<' && html.IndexOf('>', i) is var close and > 0 && Tag(html[(i + 1)..close]) is var (name, isEnd))
            {
                var raw = html[i..(close + 1)];
                if (name is "br" or "br/")
                {
                    tokens.Add(new Token(Kind.Text, "\n", "\n"));
                    valid = false;
                }
                else if (!Tags.Contains(name))
                {
                    AddText(tokens, raw);
                    valid = false;
                }
                else if (!isEnd)
                {
                    tokens.Add(new Token(Kind.Open, raw, "", name));
                    open.Add(name);
                }
                else if (open.LastIndexOf(name) is var index and >= 0)
                {
                    // An end tag closes what was opened after its start tag too, as a browser would.
                    for (var k = open.Count - 1; k >= index; k--)
                        tokens.Add(new Token(Kind.Close, "</" + open[k] + ">", "", open[k]));
                    valid &= index == open.Count - 1;
                    open.RemoveRange(index, open.Count - index);
                }
                else
                {
                    valid = false;
                }
                i = close + 1;
            }
            else if (c == '&' && Entity(html, i) is { } entity)
            {
                tokens.Add(new Token(Kind.Text, html[i..(i + entity.Length)], entity.Text));
                i += entity.Length;
            }
            else
            {
                valid &= c is not ('<' or '>' or '&');
                var length = char.IsHighSurrogate(c) && i + 1 < html.Length && char.IsLowSurrogate(html[i + 1]) ? 2 : 1;
                AddText(tokens, html.Substring(i, length));
                i += length;
            }
        }
        valid &= open.Count == 0;
        for (var k = open.Count - 1; k >= 0; k--)
            tokens.Add(new Token(Kind.Close, "</" + open[k] + ">", "", open[k]));
        return (tokens, valid);
    }

    private static void AddText(List<Token> tokens, string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            var piece = text.Substring(i, length);
            tokens.Add(new Token(Kind.Text, TelegramMessageFormatter.Escape(piece), piece));
            i += length;
        }
    }

    /// <summary>The name of a tag and whether it ends one; null for what is no tag (<c>&lt; 3</c>, <c>&lt;&gt;</c>).</summary>
    private static (string Name, bool IsEnd)? Tag(string inside)
    {
        var isEnd = inside.StartsWith('/');
        var name = (isEnd ? inside[1..] : inside).Split([' ', '\t', '\n', '\r'], 2)[0].Trim();
        if (isEnd && inside.Trim().Length != name.Length + 1)
            return null;
        return name.Length > 0 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '/') ? (name, isEnd) : null;
    }

    private static (int Length, string Text)? Entity(string html, int at)
    {
        var end = html.IndexOf(';', at);
        if (end < 0 || end - at > 10)
            return null;
        var name = html[(at + 1)..end];
        string? text = name switch
        {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            ['#', 'x' or 'X', .. var hex] when int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) => CodePoint(code),
            ['#', .. var digits] when int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var code) => CodePoint(code),
            _ => null,
        };
        return text is null ? null : (end + 1 - at, text);
    }

    private static string? CodePoint(int code) =>
        code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(code) : null;
}
