using AiDevOps.Detection.Detectors;

namespace AiDevOps.Detection.Tests;

public class DetectorEnsembleTests
{
    [Fact]
    public void The_coarse_block_range_sees_hours_at_a_level_that_finer_blocks_only_visited()
    {
        var options = new DetectorOptions();
        var ensemble = new DetectorEnsemble(options);

        // Two weeks of a level that changes every 32 samples between 0 and 10: every 16-sample block averages 0 or
        // 10, every 64-sample block 5. Then one 64-sample block that stays near the top.
        var i = 0;
        for (; i < 2 * options.CoarseBlockRangeWarmUp; i++)
        {
            ensemble.Observe(new Sample(Signals.At(i), i / 32 % 2 * 10));
        }

        for (var end = i + options.CoarseBlockSamples; i < end; i++)
        {
            ensemble.Observe(new Sample(Signals.At(i), 9));
        }

        var blockRanges = Enumerable.Range(0, ensemble.Length).Where(d => ensemble.KindAt(d) == DetectorKind.BlockRange).ToList();
        Assert.Equal(2, blockRanges.Count);
        var (fine, coarse) = (blockRanges[0], blockRanges[1]);
        Assert.Equal(0, ensemble.RatioAt(fine));
        Assert.Equal(9, ensemble.ExpectedAt(fine), 6);
        Assert.InRange(ensemble.ExpectedAt(coarse), 4.9, 5.1);
        Assert.True(ensemble.RatioAt(coarse) > 2, $"the coarse block range scored a ratio of {ensemble.RatioAt(coarse)}");
    }
}
