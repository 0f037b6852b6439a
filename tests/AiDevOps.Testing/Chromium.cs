using Microsoft.Playwright;

namespace AiDevOps.Testing;

/// <summary>
/// Debian's Chromium (apt <c>chromium</c>, which eng/test.sh installs), headless under Playwright: its own browser
/// downloads are not reachable here, so it is launched by executable path.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A tab signed in to the Web UI at <paramref name="webUrl"/> as <paramref name="name"/> with a key the Brain accepts.</summary>
    public async Task<IPage> SignedInPageAsync(Uri webUrl, string name, string key, ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = webUrl.ToString(), ViewportSize = viewport ?? new() { Width = 1360, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
