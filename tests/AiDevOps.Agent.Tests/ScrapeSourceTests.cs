using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using AiDevOps.Agent.Collection;
using AiDevOps.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiDevOps.Agent.Tests;

public class ScrapeSourceTests
{
    private const string Exposition = """
        # TYPE process_open_fds gauge
        process_open_fds{instance="inside:1"} 12
        """;

    [Fact]
    public async Task A_configured_instance_labels_every_series_of_the_target_whatever_its_port()
    {
        var series = await ScrapeAsync(new ScrapeTarget { Url = "http://127.0.0.1:41234/metrics", Job = "brain", Instance = "build-host" });

        Assert.Equal(["process_open_fds", "scrape_duration_seconds", "up"], series.Select(s => s.Labels["__name__"]).Order());
        Assert.All(series, s => Assert.Equal(("brain", "build-host"), (s.Labels["job"], s.Labels["instance"])));
        // As with Prometheus's honor_labels off: the exposed label is kept, renamed.
        Assert.Equal("inside:1", series.Single(s => s.Labels["__name__"] == "process_open_fds").Labels["exported_instance"]);
    }

    [Fact]
    public async Task Without_a_configured_instance_the_instance_is_the_urls_host_and_port()
    {
        var series = await ScrapeAsync(new ScrapeTarget { Url = "http://127.0.0.1:41234/metrics", Job = "brain", Instance = "" });

        Assert.All(series, s => Assert.Equal("127.0.0.1:41234", s.Labels["instance"]));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("host\nname")]
    public void A_blank_or_control_character_instance_is_refused_by_name(string instance)
    {
        var options = new ScrapeSourceOptions { Targets = [new ScrapeTarget { Url = "http://127.0.0.1:9100/metrics", Job = "node", Instance = instance }] };

        var errors = options.Validate(new ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.StartsWith("Agent:Scrape:Targets:0:Instance", StringComparison.Ordinal));
    }

    [Fact]
    public void A_host_name_instance_and_an_unset_one_are_valid()
    {
        var options = new ScrapeSourceOptions
        {
            Targets =
            [
                new ScrapeTarget { Url = "http://127.0.0.1:9100/metrics", Job = "node", Instance = "web-01.example.com" },
                new ScrapeTarget { Url = "http://127.0.0.1:9101/metrics", Job = "app" },
            ],
        };

        Assert.Empty(options.Validate(new ValidationContext(options)));
    }

    private static async Task<IReadOnlyList<SeriesSamples>> ScrapeAsync(ScrapeTarget target)
    {
        using var http = new HttpClient(new ExpositionHandler());
        var source = new ScrapeSource(target, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), http, NullLogger<ScrapeSource>.Instance);
        return await source.CollectAsync(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), CancellationToken.None);
    }

    private sealed class ExpositionHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(Exposition, Encoding.UTF8, "text/plain"),
            });
    }
}
