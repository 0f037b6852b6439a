namespace AiDevOps.Detection;

/// <summary>
/// One configuration for every series. Counts are in judged samples, which are at least <see cref="MinInterval"/>
/// apart by their timestamps, so the same numbers hold at any usual scrape interval and a series sampled far faster
/// is not judged on a faster clock; warm-up, the seasonal profile and exhaustion horizons are durations.
/// </summary>
public sealed record DetectorOptions
{
    /// <summary>
    /// The shortest time between two judged samples: a sample sooner than this after the last judged one is neither
    /// scored nor learnt (a counter's reset is still noted). Host metrics change on a scale of seconds (the kernel's
    /// load average every 5 s), so samples 0.2 s apart only repeat themselves, and every count below (warm-up,
    /// echoes, forgetting) would otherwise pass in a fraction of the time it means.
    /// </summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a series must have varied before it may open an anomaly, counted by sample timestamps from its first
    /// change (a constant has no scale to judge a change by, so its first change starts the warm-up; for a counter, so
    /// does its first move after a whole warm-up at one rate). The detectors'
    /// own warm-ups count samples; this one makes sure their records stand on some time, not a burst of samples.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A monotonic counter (<c>_total</c> and the like, see <see cref="DetectionSettings"/>): it is judged by its rate
    /// per second between judged samples, and a drop (the counter restarted) starts a new base instead of a sample.
    /// </summary>
    public bool Counter { get; init; }

    public double EwmaAlpha { get; init; } = 0.02;

    public int SeasonalBucketsPerDay { get; init; } = 24;

    public double LevelShiftAlpha { get; init; } = 0.01;

    /// <summary>
    /// CUSUM allowance k and decision interval h, in typical deviations: tuned for shifts of about 2σ (k = δ/2). The
    /// textbook 1σ setting (k 0.5, h 8) fired every few dozen samples on real, autocorrelated or seasonal metrics.
    /// </summary>
    public double LevelShiftSlack { get; init; } = 1;

    public double LevelShiftInterval { get; init; } = 12;

    public double RateOfChangeAlpha { get; init; } = 0.02;

    /// <summary>
    /// Samples averaged into one block for the coarse-scale level test (<c>BlockLevelDetector</c>): 16 cut the noise
    /// of white noise to a quarter, and a block is 80 minutes at a 5-minute interval, so a drift is seen within hours.
    /// </summary>
    public int BlockSamples { get; init; } = 16;

    /// <summary>Weight of each new block in the mean of past blocks: it forgets over about 50 blocks (800 samples).</summary>
    public double BlockAlpha { get; init; } = 0.02;

    /// <summary>
    /// Samples in the blocks of a second, coarser range of block means: a 64-sample block (5⅓ hours at a 5-minute
    /// interval) averages out what the day does within a shift, so a series that settles for hours at a level it
    /// only ever passed through sets a record that 16-sample blocks still see as within their range.
    /// </summary>
    public int CoarseBlockSamples { get; init; } = 64;

    /// <summary>
    /// Samples the range of block means learns before it scores: a week at a 5-minute interval. Block means vary less
    /// than samples, so their early range is narrow and sets "records" often; after a week it has seen the weekly
    /// cycle (weekend lows included), and half that many samples cost more false alarms than they found anomalies.
    /// </summary>
    public int BlockRangeWarmUp { get; init; } = 2016;

    /// <summary>
    /// The same for the range of <see cref="CoarseBlockSamples"/>-sample means: two weeks, as a week holds only 31 of
    /// its blocks, and a range of so few means is still narrow enough to set "records" often.
    /// </summary>
    public int CoarseBlockRangeWarmUp { get; init; } = 4032;

    /// <summary>
    /// Samples over which the engine forgets (e-folding), about half a year at a 5-minute interval: the long-run range
    /// relaxes towards the mean (see <c>RangeDetector</c>) and each detector's record surprise decays. A score thus
    /// means "beyond anything this series has done in a long while", and records, like new extremes, get rarer the
    /// longer a series is watched. Records that decayed over ten days set the bar anew after every quiet spell and
    /// were most of the false alarms on long, spiky series; the range detectors, which need no record, still catch a
    /// change too slow or too small to beat a record.
    /// </summary>
    public int Forgetting { get; init; } = 50_000;

    /// <summary>
    /// How far beyond the long-run range, as a fraction of its width, a sample must lie to count as much as another
    /// detector's record (score 0.5); twice as far scores 1.
    /// </summary>
    public double RangeRecord { get; init; } = 0.045;

    /// <summary>
    /// The excess that counts as a record is never less than this many typical sample-to-sample steps, so in plain
    /// noise a new extreme must clear the old one by more than the noise itself.
    /// </summary>
    public double RangeNoise { get; init; } = 0.5;

    /// <summary>Learnt readings a detector needs before it may score: its record must mean something first.</summary>
    public int WarmUpSamples { get; init; } = 60;

    /// <summary>
    /// Scores are half the surprise-to-record ratio: 0.5 equals the recent record, 1 is twice it (in √surprise, so
    /// four times the record surprise).
    /// </summary>
    public double OpenScore { get; init; } = 0.65;

    public double CloseScore { get; init; } = 0.45;

    /// <summary>Consecutive samples at or above <see cref="OpenScore"/> before an anomaly opens: one blip is not an incident.</summary>
    public int MinOpenSamples { get; init; } = 2;

    /// <summary>
    /// A score this high opens at once: a sample far beyond every recent record is an incident even alone (a latency
    /// spike of 100×), where a mere blip above the open score is not.
    /// </summary>
    public double DecisiveScore { get; init; } = 0.75;

    /// <summary>Consecutive samples below <see cref="CloseScore"/> before an anomaly closes, so it does not flap.</summary>
    public int MinCloseSamples { get; init; } = 1;

    /// <summary>
    /// Samples after a score peak during which lower scores are echoes of it and are reported below the close score:
    /// the first sample of an incident carries its score, the detectors settling after it do not.
    /// </summary>
    public int EchoSamples { get; init; } = 60;

    /// <summary>Samples in the exponentially weighted trend window used for forecasts.</summary>
    public int TrendSamples { get; init; } = 288;

    /// <summary>Set for saturating resources only (free disk, available memory): enables predicted anomalies.</summary>
    public ExhaustionOptions? Exhaustion { get; init; }
}

/// <summary>
/// A resource that runs out when the series reaches <paramref name="Limit"/> (0 for "available", 1 for a used
/// ratio); a predicted anomaly opens when that is expected within <paramref name="Horizon"/>.
/// </summary>
public sealed record ExhaustionOptions(double Limit, TimeSpan Horizon);
