using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Brain.Detection;

namespace AiDevOps.Brain.Tests;

public class TelegramMessageFormatterTests
{
    private static readonly Anomaly Down = new(
        "id",
        Series.Of("default", new Dictionary<string, string> { ["__name__"] = "up", ["job"] = "<script>", ["instance"] = "a&b:9100" }),
        AnomalyKinds.TargetDown, UpDetector.Name, 1,
        DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Firing_names_the_target_escapes_labels_and_carries_the_summary()
    {
        var html = TelegramMessageFormatter.ToHtml(new Notification(NotificationStatus.Firing, Down with { Summary = "Check <b>it</b>" }));
        Assert.StartsWith("🔴 <b>Target down</b>", html, StringComparison.Ordinal);
        Assert.Contains("job=&quot;&lt;script&gt;&quot;", html, StringComparison.Ordinal);
        Assert.Contains("instance=&quot;a&amp;b:9100&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Since 2026-11-28 10:00:00 UTC", html, StringComparison.Ordinal);
        Assert.Contains("Check &lt;b&gt;it&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolved_says_how_long_it_lasted()
    {
        var html = TelegramMessageFormatter.ToHtml(new Notification(NotificationStatus.Resolved, Down with { ResolvedAt = Down.OpenedAt.AddSeconds(95) }));
        Assert.StartsWith("✅ <b>Resolved: Target down</b>", html, StringComparison.Ordinal);
        Assert.Contains("After 1m 35s", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_exceeds_the_Bot_API_length_limit()
    {
        var html = TelegramMessageFormatter.ToHtml(new Notification(NotificationStatus.Firing, Down with { Summary = new string('<', 10_000) }));
        Assert.True(html.Length <= TelegramMessageFormatter.MaxLength);
    }
}
