using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Brain.Detection;
using AiDevOps.Testing;
using CsCheck;

namespace AiDevOps.Brain.Tests;

public class TelegramMessageFormatterTests
{
    private static readonly Anomaly Down = new(
        "id",
        Series.Of("default", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "<script>", ["instance"] = "a&b:9100" }),
        AnomalyKinds.TargetDown, UpDetector.Name, 1,
        DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The only tags the formatter writes.</summary>
    private static readonly HashSet<string> FormatterTags = ["b", "i", "code"];

    private static string Firing(Anomaly anomaly) => TelegramMessageFormatter.ToHtml(TestNotifications.Firing(anomaly));

    private static string TextOf(string html) => TelegramHtml.Text(html, FormatterTags);

    [Fact]
    public void Firing_names_the_target_escapes_labels_and_carries_the_summary()
    {
        var html = Firing(Down with { Summary = "Check <b>it</b>" });
        Assert.StartsWith("🔴 <b>Target down</b>", html, StringComparison.Ordinal);
        Assert.Contains("job=&quot;&lt;script&gt;&quot;", html, StringComparison.Ordinal);
        Assert.Contains("instance=&quot;a&amp;b:9100&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Since 2026-11-28 10:00:00 UTC", html, StringComparison.Ordinal);
        Assert.Contains("Check &lt;b&gt;it&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolved_says_how_long_it_lasted()
    {
        var html = TelegramMessageFormatter.ToHtml(TestNotifications.AsResolved(Down with { ResolvedAt = Down.OpenedAt.AddSeconds(95) }));
        Assert.StartsWith("✅ <b>Resolved: Target down</b>", html, StringComparison.Ordinal);
        Assert.Contains("After 1m 35s", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_counts_the_text_after_entity_parsing_not_the_html()
    {
        // 10,000 '<' are 40,000 characters of HTML; Telegram counts each &lt; as one.
        var html = Firing(Down with { Summary = new string('<', 10_000) });
        var text = TextOf(html);
        Assert.Equal(TelegramMessageFormatter.MaxLength, text.Length);
        Assert.EndsWith("<…", text, StringComparison.Ordinal);
        Assert.True(html.Length > 4 * 4000);
    }

    [Fact]
    public void A_long_summary_is_cut_after_a_word_and_leaves_the_evidence_whole()
    {
        var summary = string.Concat(Enumerable.Repeat("The disk fills & nobody reads the logs ", 200)).Trim();
        var text = TextOf(Firing(Down with { Evidence = "Range: expected 0.21, got 0.95 (score 0.93)", Summary = summary }));

        Assert.Contains("Range: expected 0.21, got 0.95 (score 0.93)\n", text, StringComparison.Ordinal);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
        var kept = text[(text.IndexOf("\n\n", StringComparison.Ordinal) + 2)..^1];
        Assert.StartsWith(kept, summary, StringComparison.Ordinal);
        Assert.Equal(' ', summary[kept.Length]);
    }

    [Fact]
    public void A_cut_prefers_the_end_of_a_sentence_and_never_splits_an_emoji()
    {
        Assert.Equal("Disk full. …", AlertText.Shorten("Disk full. Free space now", 15));
        Assert.Equal("🔥🔥…", AlertText.Shorten("🔥🔥🔥", 5)); // each 🔥 is two UTF-16 code units
        Assert.Equal("👨‍👩‍👧…", AlertText.Shorten("👨‍👩‍👧👨‍👩‍👧", 12)); // a family is one grapheme of 8 code units
        Assert.Equal("…", AlertText.Shorten("👨‍👩‍👧👨‍👩‍👧", 7));
        Assert.Equal("", AlertText.Shorten("abc", 0));
    }

    [Fact]
    public void Huge_label_values_shorten_the_series_but_keep_the_title_and_the_time()
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "up", ["job"] = new('&', 9_000), ["instance"] = new('"', 9_000) };
        var text = TextOf(Firing(Down with { Series = Series.Of("default", labels), Summary = "Restart it." }));

        Assert.True(text.Length <= TelegramMessageFormatter.MaxLength, $"{text.Length} characters");
        Assert.StartsWith("🔴 Target down\nup{", text, StringComparison.Ordinal);
        Assert.Contains("…\nSince 2026-11-28 10:00:00 UTC", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\nRestart it.", text, StringComparison.Ordinal); // free text keeps a quarter of the room
    }

    /// <summary>Pieces that stress escaping and cutting: markup, entities, quotes, emoji, a ZWJ sequence, a combining accent, a lone surrogate.</summary>
    private static readonly string[] Pieces =
        ["<", ">", "&", "\"", "'", "&amp;", "<b>", "</i>", "a", "word", " ", ". ", "\n", "é", "e\u0301", "🔥", "👨‍👩‍👧", "\ud800", "\udc00"];

    private static readonly Gen<string> Nasty = Gen.Frequency(
        (6, Gen.Int[0, Pieces.Length - 1].Array[0, 40]),
        (2, Gen.Int[0, Pieces.Length - 1].Array[0, 1_500]),
        (1, Gen.Int[0, Pieces.Length - 1].Array[3_000, 9_000]))
        .Select(picks => string.Concat(picks.Select(p => Pieces[p])));

    private static readonly Gen<Notification> Notifications =
        Gen.Select(
            Gen.Select(Gen.OneOf("job", "instance", "alertname", "path"), Nasty).Array[0, 4],
            Gen.OneOf(AnomalyKinds.TargetDown, AnomalyKinds.Unusual, AnomalyKinds.PrometheusAlert, "some_new_kind"),
            Nasty.Null(), Nasty.Null(), Gen.Bool)
        .Select((labels, kind, evidence, summary, firing) =>
        {
            var all = new Dictionary<string, string> { ["__name__"] = "node_load1" };
            foreach (var (name, value) in labels)
                all[name] = value;
            var anomaly = Down with { Series = Series.Of("default", all), Kind = kind, Evidence = evidence, Summary = summary, ResolvedAt = Down.OpenedAt.AddHours(2) };
            return firing ? TestNotifications.Firing(anomaly) : TestNotifications.AsResolved(anomaly);
        });

    [Fact]
    public void Any_alert_is_balanced_Telegram_html_within_the_limit_and_keeps_what_matters()
    {
        Notifications.Sample(notification =>
        {
            var html = TelegramMessageFormatter.ToHtml(notification);
            // Throws on an unbalanced or unknown tag and on any '&' that does not start a whole entity.
            var text = TextOf(html);

            Assert.InRange(text.Length, 1, TelegramMessageFormatter.MaxLength);
            Assert.Equal(AlertText.Clean(text), text); // no half of a surrogate pair, whatever was cut
            var anomaly = notification.Anomaly;
            var title = AlertText.Clean(AlertText.Title(anomaly));
            var series = AlertText.Clean(anomaly.Series.Selector());
            if (title.Length + series.Length < 3_000)
            {
                Assert.Contains(title + "\n" + series + "\n", text, StringComparison.Ordinal);
                Assert.Contains("since 2026-11-28 10:00:00 UTC", text, StringComparison.OrdinalIgnoreCase);
            }
            var summary = anomaly.Summary?.Trim();
            if (notification.Status == NotificationStatus.Firing && !string.IsNullOrEmpty(summary) && !text.EndsWith(AlertText.Clean(summary), StringComparison.Ordinal))
                Assert.EndsWith(AlertText.Ellipsis, text, StringComparison.Ordinal);
        }, iter: 400);
    }
}
