using System.Net;
using System.Net.Http.Json;
using AiDevOps.Brain.Apis;

namespace AiDevOps.Brain.Tests;

public sealed class ForecastApiTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private const long Step = 15_000;

    [Fact]
    public async Task A_filling_disk_has_a_forecast_with_a_band_and_an_exhaustion_time()
    {
        var labels = new Dictionary<string, string> { ["__name__"] = "node_filesystem_avail_bytes", ["instance"] = "db-1:9100", ["mountpoint"] = "/" };
        var series = Series.Of("acme", labels);
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        // 30 GB free, losing 6 GB an hour (with a little noise): 0 in 5 hours.
        var random = new Random(3);
        var samples = Enumerable.Range(0, 240)
            .Select(i => new SamplePoint(start + i * Step, 30e9 - i * (6e9 / 240) + random.NextDouble() * 1e7))
            .ToArray();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        (await client.PostAsJsonAsync("/ingest", new IngestRequest([new SeriesSamples(labels, samples)]))).EnsureSuccessStatusCode();
        // Ingest answers once the agent's detection has judged the delivery: the forecast is there at once.
        var forecast = await client.GetFromJsonAsync<QueryApi.ForecastView>($"/api/series/{series.Id}/forecast?horizon=2h");

        Assert.NotNull(forecast);
        var last = samples[^1];
        Assert.Equal(last.Timestamp, forecast.LastSample.ToUnixTimeMilliseconds());
        Assert.Equal(last.Timestamp + 2 * 3_600_000, forecast.At.ToUnixTimeMilliseconds());
        Assert.InRange(forecast.Expected, last.Value - 12e9 - 0.5e9, last.Value - 12e9 + 0.5e9);
        Assert.True(forecast.Low < forecast.Expected && forecast.Expected < forecast.High);
        var exhaustion = Assert.IsType<QueryApi.ExhaustionView>(forecast.Exhaustion);
        Assert.Equal(0, exhaustion.Limit);
        Assert.InRange((exhaustion.Expected - forecast.LastSample).TotalHours, 3.7, 4.3);
        Assert.True(exhaustion.Earliest <= exhaustion.Expected && exhaustion.Expected <= exhaustion.Latest);
        Assert.InRange(exhaustion.SlopePerHour, -6.3e9, -5.7e9);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", "1h", HttpStatusCode.NotFound)]
    [InlineData("0123456789abcdef0123456789abcdef", "soon", HttpStatusCode.BadRequest)]
    [InlineData("0123456789abcdef0123456789abcdef", "90d", HttpStatusCode.BadRequest)]
    [InlineData("not-a-series", "1h", HttpStatusCode.BadRequest)]
    public async Task Unknown_series_and_bad_horizons_are_problems(string seriesId, string horizon, HttpStatusCode status)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.GetAsync($"/api/series/{seriesId}/forecast?horizon={horizon}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
