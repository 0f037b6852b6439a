using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace AiDevOps.Brain.Tests;

/// <summary>A Brain whose metrics keep at most 3 series each.</summary>
public sealed class SmallCardinalityBrainFactory : BrainFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Management:MetricsKeySha256", ApiKeyHash.HexOf(MetricsKeyBrainFactory.MetricsKey));
        builder.UseSetting(Microsoft.Extensions.Hosting.Extensions.CardinalityLimitSetting, "3");
    }
}

public sealed class MetricCardinalityTests(SmallCardinalityBrainFactory brain) : IClassFixture<SmallCardinalityBrainFactory>
{
    [Fact]
    public async Task A_metric_keeps_at_most_the_configured_series_and_counts_the_rest_as_overflow()
    {
        using var scraper = brain.ClientWithKey(MetricsKeyBrainFactory.MetricsKey);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await scraper.GetAsync("/metrics")).StatusCode); // the provider is up
        using var meter = new Meter("AiDevOps.CardinalityTest");
        var counter = meter.CreateCounter<long>("aidevops.cardinality_test");
        for (var i = 0; i < 10; i++)
            counter.Add(1, new KeyValuePair<string, object?>("target", "t" + i));

        // The exporter answers a scrape from a short cache: ask until the new metric is in.
        List<string> series = [];
        for (var attempt = 0; attempt < 50 && series.Count == 0; attempt++, await Task.Delay(100))
            series = (await scraper.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("aidevops_cardinality_test", StringComparison.Ordinal)).ToList();
        Assert.InRange(series.Count(l => l.Contains("target=", StringComparison.Ordinal)), 1, 3);
        Assert.Contains(series, l => l.Contains("otel_metric_overflow=\"true\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("lots")]
    public void A_limit_out_of_range_is_named_at_start(string limit)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[Microsoft.Extensions.Hosting.Extensions.CardinalityLimitSetting] = limit;
        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            builder.ConfigureOpenTelemetry();
            using var host = builder.Build();
            host.Services.GetRequiredService<MeterProvider>();
        });
        Assert.Contains($"OpenTelemetry:MetricCardinalityLimit '{limit}' must be a whole number from 1 to 2000", error.Message, StringComparison.Ordinal);
    }
}
