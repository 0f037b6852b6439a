namespace AiDevOps.Web.Tests;

public sealed class WebOptionsTests
{
    [Theory]
    [InlineData("localhost:5180")]
    [InlineData("ftp://brain")]
    public void A_Brain_URL_that_is_no_http_URL_stops_the_start_naming_the_setting_and_its_value(string url)
    {
        using var web = new WebUiHost(url);
        var error = Assert.ThrowsAny<Exception>(web.Start);
        Assert.Contains($"Web:BrainUrl '{url}' must be an absolute http(s) URL", error.ToString(), StringComparison.Ordinal);
    }
}
