using AiDevOps.Detection.Detectors;

namespace AiDevOps.Detection.Tests;

public class SeriesDetectorTests
{
    private const int History = 2000;

    [Fact]
    public void A_sustained_spike_opens_an_anomaly_and_it_closes_after_the_spike()
    {
        var signals = new Signals(1);
        var detector = new SeriesDetector(new DetectorOptions());
        Signals.Observe(detector, signals.Noise(0, History));

        var spike = Signals.Observe(detector, Enumerable.Range(History, 6).Select(i => new Sample(Signals.At(i), 130 + signals.Gaussian())));
        var after = Signals.Observe(detector, signals.Noise(History + 6, 300));

        var opened = Assert.Single(spike, a => a.Opened is not null).Opened!;
        Assert.Equal(AnomalyKind.Detected, opened.Kind);
        Assert.NotEmpty(opened.Evidence);
        Assert.InRange(opened.Evidence[0].Actual, 126, 134);
        Assert.InRange(opened.Evidence[0].Expected, 90, 110);
        var closedAt = after.FindIndex(a => a.Closed);
        Assert.InRange(closedAt, 0, 10);
        Assert.DoesNotContain(after.Skip(closedAt + 1), a => a.IsAnomalous);
    }

    [Fact]
    public void A_single_blip_above_the_open_score_does_not_open_without_the_decisive_shortcut()
    {
        var signals = new Signals(2);
        var detector = new SeriesDetector(new DetectorOptions { DecisiveScore = double.PositiveInfinity });
        Signals.Observe(detector, signals.Noise(0, History));

        var blip = detector.Observe(new Sample(Signals.At(History), 150));
        var after = Signals.Observe(detector, signals.Noise(History + 1, 50));

        Assert.True(blip.Score >= new DetectorOptions().OpenScore, $"the blip scored only {blip.Score}");
        Assert.False(blip.IsAnomalous);
        Assert.DoesNotContain(after, a => a.IsAnomalous);
    }

    [Fact]
    public void An_ordinary_noise_excursion_does_not_open_with_the_default_options()
    {
        var signals = new Signals(3);
        var detector = new SeriesDetector(new DetectorOptions());
        Signals.Observe(detector, signals.Noise(0, History));

        var blip = detector.Observe(new Sample(Signals.At(History), 103.5));

        Assert.False(blip.IsAnomalous, $"a 3.5σ sample scored {blip.Score}");
    }

    [Fact]
    public void A_level_shift_is_detected_and_the_new_level_becomes_normal()
    {
        var signals = new Signals(4);
        var detector = new SeriesDetector(new DetectorOptions());
        Signals.Observe(detector, signals.Noise(0, History));

        var shifted = Signals.Observe(
            detector, Enumerable.Range(History, 600).Select(i => new Sample(Signals.At(i), 106 + signals.Gaussian())));

        var opened = shifted.FindIndex(a => a.Opened is not null);
        Assert.InRange(opened, 0, 20);
        Assert.False(shifted[^1].IsAnomalous);
        Assert.DoesNotContain(shifted.Skip(300), a => a.Opened is not null);
    }

    [Fact]
    public void A_shift_too_small_for_any_single_sample_is_seen_at_the_block_scale()
    {
        List<Assessment> Shifted(DetectorOptions options)
        {
            var signals = new Signals(12);
            var detector = new SeriesDetector(options);
            Signals.Observe(detector, signals.Noise(0, History));
            return Signals.Observe(
                detector, Enumerable.Range(History, 300).Select(i => new Sample(Signals.At(i), 101.5 + signals.Gaussian())));
        }

        var shifted = Shifted(new DetectorOptions());
        var unblocked = Shifted(new DetectorOptions { BlockSamples = int.MaxValue });

        var opened = shifted.FindIndex(a => a.Opened is not null);
        Assert.InRange(opened, 0, 2 * new DetectorOptions().BlockSamples);
        Assert.Equal(DetectorKind.BlockLevel, shifted[opened].Opened!.Evidence[0].Detector);
        Assert.InRange(shifted[opened].Opened!.Evidence[0].Expected, 99.5, 100.5);
        Assert.DoesNotContain(unblocked, a => a.Opened is not null);
    }

    [Fact]
    public void A_daily_pattern_does_not_alarm_once_learnt_from_history()
    {
        var signals = new Signals(5);
        const int day = 288;
        IEnumerable<Sample> Daily(int from, int count) => Enumerable.Range(from, count).Select(i =>
            new Sample(Signals.At(i), 100 + 40 * Math.Sin(2 * Math.PI * i / day) + 2 * signals.Gaussian()));
        var detector = new SeriesDetector(new DetectorOptions());
        detector.Fit(Daily(0, 7 * day));

        var week = Signals.Observe(detector, Daily(7 * day, 7 * day));

        Assert.DoesNotContain(week, a => a.IsAnomalous);
        Assert.True(week.Max(a => a.Score) < new DetectorOptions().OpenScore);
    }

    [Fact]
    public void A_linear_fill_predicts_time_to_exhaustion_within_its_band_and_opens_a_predicted_anomaly()
    {
        var signals = new Signals(6);
        var options = new DetectorOptions { Exhaustion = new ExhaustionOptions(0, TimeSpan.FromHours(4)) };
        var detector = new SeriesDetector(options);
        const double perHour = 0.01;
        const int total = 12 * 80;
        double Available(int i) => 0.8 - perHour * i / 12.0 + 0.002 * signals.Gaussian();

        Assessment? checkpoint = null;
        Finding? predicted = null;
        var openedAtHoursLeft = double.NaN;
        for (var i = 0; i < total; i++)
        {
            var assessment = detector.Observe(new Sample(Signals.At(i), Available(i)));
            var hoursLeft = (total - i) / 12.0;
            if (i == 12 * 48)
            {
                checkpoint = assessment;
                Assert.InRange(32.0, assessment.Exhaustion!.Value.Earliest.TotalHours, assessment.Exhaustion.Value.Latest.TotalHours);
                Assert.Equal(32.0, assessment.Exhaustion.Value.Expected.TotalHours, 2.0);
            }

            if (assessment.PredictionOpened is { } anomaly && predicted is null)
            {
                predicted = anomaly;
                openedAtHoursLeft = hoursLeft;
            }
        }

        Assert.NotNull(checkpoint);
        Assert.NotNull(predicted);
        Assert.Equal(AnomalyKind.Predicted, predicted.Kind);
        Assert.Equal(DetectorKind.Exhaustion, predicted.Evidence[0].Detector);
        Assert.InRange(openedAtHoursLeft, 3.5, 4.5);
    }

    [Fact]
    public void A_short_horizon_forecast_brackets_the_next_values_of_a_trend()
    {
        var signals = new Signals(7);
        var detector = new SeriesDetector(new DetectorOptions());
        detector.Fit(Enumerable.Range(0, 600).Select(i => new Sample(Signals.At(i), 50 + 0.1 * i + signals.Gaussian())));

        var forecast = detector.Forecast(TimeSpan.FromHours(1));

        Assert.InRange(50 + 0.1 * 611, forecast.Low, forecast.High);
        Assert.InRange(forecast.High - forecast.Low, 2, 12);
    }

    [Fact]
    public void A_restored_snapshot_scores_the_following_samples_identically()
    {
        var signals = new Signals(8);
        var options = new DetectorOptions();
        var original = new SeriesDetector(options);
        Signals.Observe(original, signals.Noise(0, 1500));
        var restored = SeriesDetector.Restore(options, original.Snapshot());

        var next = signals.Noise(1500, 1000).Select((s, i) => i % 97 == 0 ? s with { Value = s.Value + 15 } : s).ToList();

        Assert.Equal(Signals.Observe(original, next), Signals.Observe(restored, next), (a, b) =>
            a.Score == b.Score && a.IsAnomalous == b.IsAnomalous && a.Closed == b.Closed);
        Assert.Equal(original.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public void A_snapshot_from_other_options_is_rejected()
    {
        var detector = new SeriesDetector(new DetectorOptions());
        var snapshot = detector.Snapshot();

        Assert.Throws<InvalidDataException>(() => SeriesDetector.Restore(new DetectorOptions { SeasonalBucketsPerDay = 12 }, snapshot));
    }

    [Fact]
    public void A_constant_series_never_alarms()
    {
        var detector = new SeriesDetector(new DetectorOptions());

        var assessments = Signals.Observe(detector, Enumerable.Range(0, 5000).Select(i => new Sample(Signals.At(i), 42)));

        Assert.All(assessments, a => Assert.Equal(0, a.Score));
        Assert.DoesNotContain(assessments, a => a.IsAnomalous);
    }

    [Fact]
    public void NaN_and_infinite_values_neither_crash_nor_alarm_nor_poison_the_state()
    {
        var signals = new Signals(9);
        var poisoned = new SeriesDetector(new DetectorOptions());
        var clean = new SeriesDetector(new DetectorOptions());
        var samples = signals.Noise(0, 3000).ToList();
        double[] bad = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

        for (var i = 0; i < samples.Count; i++)
        {
            if (i % 50 == 0)
            {
                var assessment = poisoned.Observe(samples[i] with { Value = bad[i / 50 % 3] });
                Assert.Equal(0, assessment.Score);
                Assert.False(assessment.IsAnomalous);
            }

            var a = poisoned.Observe(samples[i]);
            var b = clean.Observe(samples[i]);
            Assert.True(double.IsFinite(a.Score));
            Assert.Equal(b.Score, a.Score);
        }
    }

    [Fact]
    public void A_spiky_series_alarms_on_a_spike_beyond_its_range_but_not_on_its_usual_spikes()
    {
        var signals = new Signals(10);
        var detector = new SeriesDetector(new DetectorOptions());
        Signals.Observe(detector, Enumerable.Range(0, 3000).Select(i => new Sample(Signals.At(i), (i % 100 == 50 ? 120 : 100) + signals.Gaussian())));

        var usual = detector.Observe(new Sample(Signals.At(3000), 120 + signals.Gaussian()));
        Signals.Observe(detector, signals.Noise(3001, 50));
        var beyond = detector.Observe(new Sample(Signals.At(3051), 160));

        Assert.True(usual.Score < new DetectorOptions().OpenScore, $"a usual spike scored {usual.Score}");
        Assert.False(usual.IsAnomalous);
        var opened = beyond.Opened;
        Assert.NotNull(opened);
        Assert.Equal(DetectorKind.Range, opened.Evidence[0].Detector);
        Assert.InRange(opened.Evidence[0].Expected, 118, 125);
    }

    [Fact]
    public void An_incident_reports_its_score_once_and_stays_open_while_its_echoes_are_held_down()
    {
        List<Assessment> Plateau(DetectorOptions options)
        {
            var signals = new Signals(1);
            var detector = new SeriesDetector(options);
            Signals.Observe(detector, signals.Noise(0, History));
            return Signals.Observe(detector, Enumerable.Range(History, 6).Select(i => new Sample(Signals.At(i), 130 + signals.Gaussian())));
        }

        var defaults = new DetectorOptions();
        var held = Plateau(defaults);
        var unheld = Plateau(defaults with { EchoSamples = 0 });

        Assert.True(held[0].Score >= defaults.DecisiveScore, $"the first sample scored {held[0].Score}");
        Assert.Equal(unheld[0].Score, held[0].Score);
        Assert.All(held.Skip(1), a => Assert.True(a.Score <= defaults.CloseScore, $"an echo scored {a.Score}"));
        Assert.Contains(unheld.Skip(1), a => a.Score > defaults.CloseScore + 0.1);
        Assert.All(held, a => Assert.True(a.IsAnomalous));
    }
}
