namespace AiDevOps.Detection.Tests;

/// <summary>Behaviour defined by sample timestamps, not sample counts: spacing, warm-up, constants, counters.</summary>
public class TimestampTests
{
    private static readonly DateTimeOffset Start = Signals.Start;

    private static List<Assessment> Feed(SeriesDetector detector, TimeSpan step, IEnumerable<double> values, int from = 0) =>
        [.. values.Select((value, i) => detector.Observe(new Sample(Start + (from + i) * step, value)))];

    [Fact]
    public void Samples_sooner_than_the_minimum_interval_after_the_last_judged_one_are_not_judged()
    {
        var signals = new Signals(21);
        var values = Enumerable.Range(0, 20_000).Select(_ => 100 + signals.Gaussian()).ToList();
        var step = TimeSpan.FromMilliseconds(200);
        var fast = new SeriesDetector(new DetectorOptions());
        var due = new SeriesDetector(new DetectorOptions());

        var all = Feed(fast, step, values);
        // Every 25th sample is 5 s after the last judged one: the only samples judged.
        var judged = Enumerable.Range(0, values.Count / 25).Select(i => due.Observe(new Sample(Start + 25 * i * step, values[25 * i]))).ToList();

        Assert.All(all.Where((_, i) => i % 25 != 0), a => Assert.Equal(0, a.Score));
        Assert.Equal(judged.Select(a => a.Score), all.Where((_, i) => i % 25 == 0).Select(a => a.Score));
        Assert.Equal(due.Snapshot(), fast.Snapshot());
    }

    [Fact]
    public void A_series_in_warm_up_never_opens_however_many_samples_it_had()
    {
        var step = TimeSpan.FromSeconds(15);
        var options = new DetectorOptions();
        List<double> Noise(int count, int seed)
        {
            var signals = new Signals(seed);
            return [.. Enumerable.Range(0, count).Select(_ => 100 + signals.Gaussian())];
        }

        // 200 samples are more than every detector's own warm-up, but only 50 minutes.
        var young = new SeriesDetector(options);
        var early = Feed(young, step, [.. Noise(200, 22), 200, 200, 200]);
        var grown = new SeriesDetector(options);
        var late = Feed(grown, step, [.. Noise(400, 22), 200, 200, 200]);

        Assert.DoesNotContain(early, a => a.IsAnomalous || a.Score > 0);
        Assert.Contains(late.Skip(400), a => a.Opened is not null);
    }

    [Fact]
    public void A_constant_that_changes_starts_a_warm_up_instead_of_opening()
    {
        var step = TimeSpan.FromSeconds(15);
        var detector = new SeriesDetector(DetectionSettings.Recommended.For("node_memory_MemTotal_bytes"));

        // Six hours at 16 GiB, memory added, six hours at 32 GiB: a change of configuration, not of behaviour.
        var assessments = Feed(detector, step, [.. Enumerable.Repeat(16.0 * (1 << 30), 1440), .. Enumerable.Repeat(32.0 * (1 << 30), 1440)]);

        Assert.DoesNotContain(assessments, a => a.IsAnomalous);
        Assert.All(assessments.Take(1440 + 240), a => Assert.Equal(0, a.Score));
    }

    [Fact]
    public void A_counter_is_judged_by_its_rate_and_its_reset_is_not_an_anomaly()
    {
        var step = TimeSpan.FromSeconds(15);
        var options = DetectionSettings.Recommended.For("node_cpu_seconds_total");
        Assert.True(options.Counter);
        Assert.False(DetectionSettings.Recommended.For("node_load1").Counter);
        var random = new Random(23);
        var detector = new SeriesDetector(options);
        var total = 1e6;

        // Half a CPU busy for six hours, the host restarting (the counter back at 0) half-way through.
        var steady = Feed(detector, step, Enumerable.Range(0, 1440).Select(i => i == 720 ? total = 0 : total += 15 * 0.5 * (0.9 + 0.2 * random.NextDouble())));
        // Then eight CPUs busy.
        var busy = Feed(detector, step, Enumerable.Range(0, 4).Select(_ => total += 15 * 8.0), from: 1440);

        Assert.DoesNotContain(steady, a => a.IsAnomalous);
        var opened = Assert.Single(busy, a => a.Opened is not null).Opened!;
        Assert.InRange(opened.Evidence[0].Actual, 7.9, 8.1);
        Assert.InRange(opened.Evidence[0].Expected, 0.3, 0.7);
    }

    [Fact]
    public void A_rare_error_on_a_counter_that_held_still_for_hours_does_not_open()
    {
        var step = TimeSpan.FromSeconds(15);
        var detector = new SeriesDetector(DetectionSettings.Recommended.For("node_network_receive_errs_total"));
        var random = new Random(24);

        // One receive error every two to three hours, for two days.
        var values = new List<double>();
        var (errors, next) = (0, 500);
        for (var i = 0; i < 11_520; i++)
        {
            if (i == next)
            {
                errors++;
                next += random.Next(480, 720);
            }
            values.Add(errors);
        }
        var assessments = Feed(detector, step, values);

        Assert.DoesNotContain(assessments, a => a.IsAnomalous);
    }
}
