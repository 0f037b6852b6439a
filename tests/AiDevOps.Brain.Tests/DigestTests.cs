using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Digests;
using AiDevOps.Brain.Alerting.Incidents;

namespace AiDevOps.Brain.Tests;

public sealed class DigestTests
{
    private static readonly DateTimeOffset Until = TestNotifications.OpenedAt.AddHours(12);

    [Fact]
    public void A_day_lists_its_incidents_longest_first_its_noisiest_series_and_its_silences()
    {
        var down = TestNotifications.TargetDown();
        var longAgo = TestNotifications.TargetDown("old-1:9100") with { OpenedAt = Until.AddDays(-3), ResolvedAt = Until.AddDays(-2) };
        var incidents = new[]
        {
            TestNotifications.IncidentOf(down with { ResolvedAt = down.OpenedAt.AddMinutes(3) }),
            TestNotifications.IncidentOf(TestNotifications.TargetDown("web-1:9100")),
            TestNotifications.IncidentOf(longAgo),
        };
        var noisy = Enumerable.Range(0, 3).Select(i => down with { OpenedAt = down.OpenedAt.AddMinutes(i) }).Append(TestNotifications.TargetDown("web-1:9100"));
        var silence = new Silence("s1", "{instance=\"db-1:9100\"}", Until.AddHours(-2), Until.AddHours(1), "alice", "disk swap");

        var digest = Digest.Of("acme", Until.AddDays(-1), Until, incidents, noisy, [silence]);

        Assert.Equal(2, digest.Incidents.Count);
        Assert.Equal(
            """
            2 incidents, 2 paged, 1 still open.
            • Target down on {instance="web-1:9100"}: still open (paged)
            • Target down on {instance="db-1:9100"}: lasted 3m 0s (paged)

            Noisiest series:
            • up{instance="db-1:9100",job="node"}: 3 anomalies
            • up{instance="web-1:9100",job="node"}: 1 anomaly

            Silenced:
            • {instance="db-1:9100"} by alice until 2026-11-28 23:00:00 UTC: disk swap
            """, digest.Text());
    }

    [Fact]
    public void A_quiet_day_says_so()
    {
        var digest = Digest.Of("acme", Until.AddDays(-1), Until, [], [], []);
        Assert.Equal("No incidents.\n\nNothing was silenced.", digest.Text());
        Assert.Equal("AiDevOps daily digest for acme, 2026-11-27", digest.Title);
    }

    [Theory]
    [InlineData("0 0 8 * * ?", true)]
    [InlineData("off", true)]
    [InlineData("every morning", false)]
    public void A_schedule_is_a_cron_expression_or_off(string cron, bool valid)
    {
        var options = new DigestOptions { Tenants = { ["acme"] = cron } };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
            Assert.Contains("Digest:Tenants:acme 'every morning'", errors[0].ErrorMessage, StringComparison.Ordinal);
    }
}
