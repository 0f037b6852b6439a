using AiDevOps.Detection.Detectors;

namespace AiDevOps.Detection.Tests;

public class RangeDetectorTests
{
    [Fact]
    public void Over_blocks_it_sees_a_level_that_single_samples_only_visited_and_reads_once_a_block()
    {
        var samples = new RangeDetector(50_000, 60, 0.5 / 0.045);
        var blocks = new RangeDetector(50_000 / 4, 60 / 4, 0, 4);
        Assert.Equal(DetectorKind.BlockRange, blocks.Kind);

        // Swings between 0 and 10, so every block of four averages 5; then a block that stays near the top.
        var i = 0;
        for (; i < 400; i++)
        {
            samples.Observe(new Sample(Signals.At(i), i % 2 * 10));
            blocks.Observe(new Sample(Signals.At(i), i % 2 * 10));
        }

        var readings = new List<(DetectorReading Sample, DetectorReading Block)>();
        for (; i < 404; i++)
        {
            var sample = new Sample(Signals.At(i), 9);
            readings.Add((samples.Observe(sample), blocks.Observe(sample)));
        }

        Assert.All(readings, r => Assert.Equal(0, r.Sample.Surprise));
        Assert.All(readings.Take(3), r => Assert.False(r.Block.IsLearnt));
        Assert.True(readings[3].Block.Surprise > 1, $"the block read {readings[3].Block.Surprise}");
        Assert.Equal(5, readings[3].Block.Expected, 3);
    }
}
