using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.Telegram;
using AiDevOps.Brain.Alerting.Templates;
using AiDevOps.Testing;
using CsCheck;

namespace AiDevOps.Brain.Tests;

/// <summary>Templates render from the plain model only, escape data for their channel, and fit Telegram whatever they emit.</summary>
public sealed class AlertTemplateRenderingTests
{
    private static Notification WithInstance(string instance) => TestNotifications.Firing(TestNotifications.TargetDown(instance));

    [Fact]
    public async Task Data_is_escaped_for_the_channel_and_literal_markup_is_kept()
    {
        var notification = WithInstance("<b>db & co\"</b>");
        const string Template = "<b>{{ title }}</b> {{ labels.instance }}";

        var telegram = await AlertTemplates.RenderTelegramAsync(Template, notification, CancellationToken.None);
        Assert.Equal("<b>Target down</b> &lt;b&gt;db &amp; co&quot;&lt;/b&gt;", telegram.Html);
        Assert.True(telegram.WasValid);
        Assert.Equal("Target down <b>db & co\"</b>", TelegramHtml.Text(telegram.Html));

        // Slack decodes only &amp; &lt; &gt;: a quote stays a quote.
        Assert.Equal("<b>Target down</b> &lt;b&gt;db &amp; co\"&lt;/b&gt;",
            await AlertTemplates.RenderAsync(Template, notification, MarkupEncoder.Slack, CancellationToken.None));
    }

    [Fact]
    public async Task The_model_carries_the_incident_its_members_and_the_summary()
    {
        var notification = WithInstance("db-1:9100");
        var text = await AlertTemplates.RenderAsync(
            "{{ kind }}|{{ status }}|{{ pages }}|{{ since }}|{{ members.size }}|{% for m in members %}{{ m.title }}:{{ m.series }}{% endfor %}|{{ group.instance }}|{{ summary }}|{{ opened_at | date: '%H:%M' }}",
            notification, null, CancellationToken.None);

        Assert.Equal("opened|firing|true|2026-11-28 10:00:00 UTC|1|Target down:up{instance=\"db-1:9100\",job=\"node\"}|db-1:9100|db-1 stopped answering its scrapes; check the exporter.|10:00", text);
    }

    [Fact]
    public async Task A_template_reaches_no_dotnet_member_and_no_file()
    {
        Assert.Equal("[][][][][][]", await AlertTemplates.RenderAsync(
            "[{{ GetType }}][{{ title.GetType }}][{{ members[0].GetType.Assembly.FullName }}][{{ labels.GetType.Name }}][{{ opened_at.GetType }}][{{ timeline.GetType }}]",
            WithInstance("db-1"), null, CancellationToken.None));

        // No file provider: an include renders nothing or fails, and a failure sends the built-in message.
        try
        {
            Assert.Equal("", await AlertTemplates.RenderAsync("{% include '/etc/passwd' %}", WithInstance("db-1"), null, CancellationToken.None));
        }
        catch (TemplateException)
        {
        }
    }

    [Fact]
    public async Task A_runaway_template_fails_within_its_limits()
    {
        await Assert.ThrowsAsync<TemplateException>(() =>
            AlertTemplates.RenderAsync("{% for i in (1..100000000) %}{{ i }}{% endfor %}", WithInstance("db-1"), null, CancellationToken.None));
        Assert.False(AlertTemplates.TryParse("{% if title %}unclosed", out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task A_huge_output_is_cut_between_characters_and_its_tags_closed()
    {
        var fitted = await AlertTemplates.RenderTelegramAsync(
            "{% for i in (1..2000) %}<b>{{ title }}</b> &amp; <i>{{ labels.instance }}</i>\n{% endfor %}", WithInstance("a&b"), CancellationToken.None);

        var text = TelegramHtml.Text(fitted.Html);
        Assert.InRange(text.Length, 4000, TelegramMessageFormatter.MaxLength);
        Assert.Equal(text.Length, fitted.Length);
        Assert.True(fitted.Truncated);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
        Assert.StartsWith("Target down & a&b\nTarget down", text, StringComparison.Ordinal);
    }

    /// <summary>The README's example.</summary>
    private const string Example = """
        {% if status == "firing" %}{% if pages %}🔴{% else %}🟠{% endif %}{% else %}✅{% endif %} <b>{{ title }}</b>
        <code>{{ selector }}</code> · since {{ opened_at | date: '%H:%M' }} UTC{% if status == "resolved" %} · lasted {{ lasted }}{% endif %}
        {% for m in members limit: 10 %}• {{ m.title }}{% unless m.firing %} (resolved){% endunless %}
        {% endfor %}{% if acknowledged_by %}👤 {{ acknowledged_by }}
        {% endif %}{% if evidence %}<i>{{ evidence }}</i>
        {% endif %}{{ summary }}
        """;

    [Fact]
    public async Task The_readme_example_renders_valid_Telegram_html_with_the_summary_last()
    {
        var firing = await AlertTemplates.RenderTelegramAsync(Example, WithInstance("db-1:9100"), CancellationToken.None);
        Assert.True(firing.WasValid, firing.Html);
        Assert.Equal("""
            🔴 Target down
            up{instance="db-1:9100",job="node"} · since 10:00 UTC
            • Target down
            up went from 1 to 0.
            db-1 stopped answering its scrapes; check the exporter.
            """, TelegramHtml.Text(firing.Html));

        var resolved = await AlertTemplates.RenderTelegramAsync(
            Example, TestNotifications.Resolved(TestNotifications.TargetDown(), TimeSpan.FromSeconds(95)), CancellationToken.None);
        Assert.StartsWith("✅ Target down\n", TelegramHtml.Text(resolved.Html), StringComparison.Ordinal);
        Assert.Contains("lasted 1m 35s", TelegramHtml.Text(resolved.Html), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<div>x</div>", "&lt;div&gt;x&lt;/div&gt;")]
    [InlineData("<b>open", "<b>open</b>")]
    [InlineData("<b><i>x</b>y</i>", "<b><i>x</i></b>y")]
    [InlineData("a<br>b", "a\nb")]
    [InlineData("Q&A &amp; &#128293; &bogus;", "Q&amp;A &amp; &#128293; &amp;bogus;")]
    [InlineData("  \n<b>x</b>\n\n", "<b>x</b>")]
    public void Invalid_markup_is_repaired_not_refused(string html, string expected)
    {
        var fitted = TelegramHtmlFit.Fit(html);
        Assert.Equal(expected, fitted.Html);
        TelegramHtml.Text(fitted.Html);
    }

    private static readonly string[] Pieces =
        ["<", ">", "&", "\"", "&amp;", "&#128293;", "&#x1F525;", "&lt", "<b>", "</b>", "<i>", "</i>", "<a href=\"https://x\">", "</a>", "<div>", "<br>",
         "a", "word", " ", ". ", "\n", "é", "🔥", "👨‍👩‍👧", "\ud800"];

    [Fact]
    public void Whatever_a_template_emits_becomes_valid_Telegram_html_within_the_limit()
    {
        Gen.Select(Gen.Int[0, Pieces.Length - 1].Array[0, 400], Gen.Int[1, 300])
            .Sample((picks, limit) =>
            {
                var fitted = TelegramHtmlFit.Fit(string.Concat(picks.Select(p => Pieces[p])), limit);
                var text = TelegramHtml.Text(fitted.Html); // throws on anything Telegram would refuse
                Assert.InRange(text.Length, 0, limit);
                Assert.Equal(fitted.Length, text.Length);
                Assert.Equal(AlertText.Clean(text), text);
            });
    }
}
