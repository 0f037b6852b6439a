using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiDevOps.Testing;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AiDevOps.Web.Tests;

/// <summary>
/// The Web UI as people use it, in headless Chromium: signing in, the overview, an incident from a real anomaly
/// (its chart, its summary, acknowledging and resolving it through the Brain), a silence, a validation error, the
/// explore chart of a day of 100 series, the tenant boundary, accessibility and a phone's screen.
/// </summary>
public sealed class WebUiTests(WebUiFixture platform, ITestOutputHelper output) : IClassFixture<WebUiFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly float Wait = (float)Patience.TotalMilliseconds;

    [Fact]
    public async Task Nothing_is_readable_without_signing_in_and_a_key_the_Brain_refuses_does_not_sign_in()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = platform.Web.Url };
        foreach (var path in new[] { "/", "/incidents", $"/incidents/{platform.IncidentId}", "/explore?metric=up", "/alerting" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            Assert.DoesNotContain(WebUiFixture.DownInstance, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var context = await platform.Browser.NewContextAsync(new() { BaseURL = platform.Web.Url.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/incidents");
        Assert.Contains("/signin?returnUrl=%2Fincidents", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Your name").FillAsync("mallory");
        await page.GetByLabel("API key").FillAsync("not-a-key-the-brain-knows");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#key-refused")).ToHaveTextAsync("The Brain does not accept this key.");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await WebUiFixture.ScreenshotAsync(page, "signin");
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_incident_from_a_real_anomaly_shows_its_chart_and_summary_and_acknowledging_and_resolving_it_are_recorded_by_the_Brain()
    {
        var page = await platform.SignedInPageAsync("alice", BrainHost.AcmeKey);
        var clock = Stopwatch.StartNew();
        await page.GotoAsync("/");
        await page.Locator("[data-testid=anomaly-rate][data-rendered]").WaitForAsync(new() { Timeout = Wait });
        var overview = clock.Elapsed;
        var overviewChart = await page.Locator("[data-testid=anomaly-rate]").GetAttributeAsync("data-render-ms");
        WebUiFixture.RecordTiming($"overview: {overview.TotalMilliseconds:0} ms from navigation to the anomaly chart drawn (uPlot drawing: {overviewChart} ms)");
        output.WriteLine($"overview rendered in {overview.TotalMilliseconds:0} ms");
        await Assertions.Expect(page.GetByTestId("tenant")).ToHaveTextAsync("acme");
        await Assertions.Expect(page.Locator("table").First).ToContainTextAsync("acme-edge");
        await Assertions.Expect(page.Locator("table").First).ToContainTextAsync(WebUiFixture.AgentVersion);
        await WebUiFixture.ScreenshotAsync(page, "overview");

        await page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Target down on") }).First.ClickAsync();
        await page.WaitForURLAsync($"**/incidents/{platform.IncidentId}");
        await Assertions.Expect(page.GetByTestId("incident-title")).ToContainTextAsync(WebUiFixture.DownInstance);
        await page.Locator("[data-testid=member-chart][data-rendered]").First.WaitForAsync(new() { Timeout = Wait });
        await Assertions.Expect(page.GetByTestId("incident-summary")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.GetByTestId("notifications")).ToContainTextAsync("telegram", new() { Timeout = Wait });
        await Assertions.Expect(page.GetByTestId("notifications")).ToContainTextAsync("delivered", new() { Timeout = Wait });
        await WebUiFixture.ScreenshotAsync(page, "incident");

        await page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("incident-state")).ToHaveTextAsync("acknowledged");
        await Assertions.Expect(page.GetByTestId("acknowledged-by")).ToHaveTextAsync("alice");
        using var brain = platform.BrainClient(BrainHost.AcmeKey);
        var recorded = (await brain.GetFromJsonAsync<JsonElement>($"/api/incidents/{platform.IncidentId}")).GetProperty("incident");
        Assert.Equal(("acknowledged", "alice"), (recorded.GetProperty("state").GetString(), recorded.GetProperty("acknowledgedBy").GetString()));

        await page.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("incident-state")).ToHaveTextAsync("resolved");
        recorded = (await brain.GetFromJsonAsync<JsonElement>($"/api/incidents/{platform.IncidentId}")).GetProperty("incident");
        Assert.Equal("resolved", recorded.GetProperty("state").GetString());
        Assert.Contains(recorded.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("what").GetString() == "Resolved by alice");
        await Eventually.HoldsAsync(() => platform.Telegram.Edits.Any(e => e.Text.Contains("Resolved", StringComparison.OrdinalIgnoreCase))
            || platform.Telegram.Messages.Count(m => m.Text.Contains(WebUiFixture.DownInstance, StringComparison.Ordinal)) > 1, "Telegram told of the resolve", Patience);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_silence_is_created_through_the_Brain_and_a_bad_one_shows_its_error_next_to_the_field()
    {
        var page = await platform.SignedInPageAsync("bob", BrainHost.AcmeKey);
        await page.GotoAsync("/alerting");
        await Assertions.Expect(page.GetByTestId("receivers")).ToContainTextAsync("4242");
        await Assertions.Expect(page.GetByTestId("receivers")).Not.ToContainTextAsync("acme-bot");

        await page.GetByLabel("Matchers").FillAsync("this is not a selector");
        await page.GetByLabel("Comment").FillAsync("deploy of web-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add silence" }).ClickAsync();
        await Assertions.Expect(page.Locator("#silence-matchers-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Matchers")).ToHaveAttributeAsync("aria-describedby", "silence-matchers-error");
        await WebUiFixture.ScreenshotAsync(page, "alerting-validation");

        await page.GetByLabel("Matchers").FillAsync("{instance=\"web-2:9100\"}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add silence" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("silences")).ToContainTextAsync("web-2:9100");
        await Assertions.Expect(page.Locator("#silence-matchers-error")).ToHaveCountAsync(0);
        using var brain = platform.BrainClient(BrainHost.AcmeKey);
        var silences = await brain.GetFromJsonAsync<JsonElement[]>("/api/silences?state=active");
        var stored = Assert.Single(silences!, s => s.GetProperty("matchers").GetString() == "{instance=\"web-2:9100\"}");
        Assert.Equal(("bob", "deploy of web-2"), (stored.GetProperty("createdBy").GetString(), stored.GetProperty("comment").GetString()));

        // A template is previewed against the tenant's incident as it is typed.
        await page.GetByLabel("Template (Liquid)").FillAsync("PAGE: {{ title }}");
        await Assertions.Expect(page.GetByTestId("template-preview")).ToContainTextAsync("PAGE: Target down", new() { Timeout = Wait });
        await WebUiFixture.ScreenshotAsync(page, "alerting");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Explore_draws_a_day_of_100_series_and_one_series_with_its_baseline_and_forecast()
    {
        var page = await platform.SignedInPageAsync("carol", BrainHost.AcmeKey);
        // Twice: the first time after the services start pays for their first query (code paths compiled, caches
        // filled); the second is what people get from then on.
        foreach (var visit in new[] { "first visit", "next visit" })
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync($"/explore?metric={WebUiFixture.Metric}&range=24h");
            await page.Locator("[data-testid=explore-chart][data-rendered]").WaitForAsync(new() { Timeout = Wait });
            var explore = clock.Elapsed;
            var drawing = await page.GetByTestId("explore-chart").GetAttributeAsync("data-render-ms");
            WebUiFixture.RecordTiming($"explore, 24 h x {WebUiFixture.SeriesCount} series, {visit}: {explore.TotalMilliseconds:0} ms from navigation to the chart drawn (uPlot drawing: {drawing} ms)");
            output.WriteLine($"explore rendered in {explore.TotalMilliseconds:0} ms ({visit})");
        }
        await Assertions.Expect(page.GetByTestId("explore-facts")).ToContainTextAsync($"{WebUiFixture.SeriesCount} series");
        Assert.Contains(WebUiFixture.Metric, await page.Locator("#metric-names option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        await WebUiFixture.ScreenshotAsync(page, "explore");

        await page.GotoAsync($"/explore?metric={WebUiFixture.Metric}&label.instance=app-07:9100&label.job=app&range=24h");
        await page.Locator("[data-testid=explore-chart][data-rendered]").WaitForAsync(new() { Timeout = Wait });
        await Assertions.Expect(page.GetByTestId("explore-facts")).ToContainTextAsync("1 series");
        await Assertions.Expect(page.Locator(".u-legend")).ToContainTextAsync("baseline");
        await Assertions.Expect(page.GetByTestId("forecast")).ToContainTextAsync("Forecast for");
        await WebUiFixture.ScreenshotAsync(page, "explore-one-series");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_overview_shows_a_new_incident_without_a_reload()
    {
        var page = await platform.SignedInPageAsync("frank", BrainHost.GlobexKey);
        await Assertions.Expect(page.GetByTestId("open-incidents")).ToHaveTextAsync("0");
        await page.EvaluateAsync("() => window.loadedOnce = true");

        using var globex = platform.BrainClient(BrainHost.GlobexKey);
        await WebUiFixture.AddTelegramReceiverAsync(globex, "5151", "2:globex-bot");
        await WebUiFixture.TakeDownAsync(globex, "db-9:9100");

        await Assertions.Expect(page.GetByTestId("open-incidents")).ToHaveTextAsync("1", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("db-9:9100");
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"), "the page was reloaded");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_it()
    {
        var page = await platform.SignedInPageAsync("eve", BrainHost.GlobexKey);
        await Assertions.Expect(page.GetByTestId("tenant")).ToHaveTextAsync("globex");
        await page.GotoAsync("/incidents?state=all");
        await Assertions.Expect(page.GetByTestId("incidents")).Not.ToContainTextAsync(WebUiFixture.DownInstance);
        await page.GotoAsync($"/incidents/{platform.IncidentId}");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Your tenant has no incident");
        await page.GotoAsync($"/explore?metric={WebUiFixture.Metric}&range=24h");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("No series matches");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_passes_axe_and_fits_a_phone()
    {
        var page = await platform.SignedInPageAsync("dana", BrainHost.AcmeKey);
        foreach (var path in new[] { "/", "/incidents?state=all", $"/incidents/{platform.IncidentId}", $"/explore?metric={WebUiFixture.Metric}&range=1h", "/alerting" })
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var results = await page.RunAxe();
            var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
            Assert.True(serious.Count == 0, $"{path}: " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})")));
        }
        await page.Context.CloseAsync();

        var phone = await platform.SignedInPageAsync("dana", BrainHost.AcmeKey, new() { Width = 390, Height = 844 });
        foreach (var (path, name) in new[] { ("/", "phone-overview"), ($"/incidents/{platform.IncidentId}", "phone-incident") })
        {
            await phone.GotoAsync(path);
            await phone.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a phone's screen");
            await WebUiFixture.ScreenshotAsync(phone, name);
        }
        await phone.Context.CloseAsync();
    }
}
