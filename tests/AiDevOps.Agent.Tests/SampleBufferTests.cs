using AiDevOps.Agent.Delivery;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Tests;

public class SampleBufferTests
{
    private static SeriesSamples Series(string name, int samples) =>
        new(new Dictionary<string, string> { ["__name__"] = name }, Enumerable.Range(1, samples).Select(i => new SamplePoint(i, i)).ToList());

    [Fact]
    public void Peeks_oldest_first_and_keeps_a_batch_until_it_is_committed()
    {
        var buffer = new SampleBuffer(100);
        buffer.Add([Series("a", 3), Series("b", 3), Series("c", 3)]);

        var batch = buffer.Peek(6);
        Assert.Equal(["a", "b"], batch.Select(s => s.Labels["__name__"]));
        Assert.Equal(9, buffer.Samples);

        buffer.Commit(batch);
        Assert.Equal(3, buffer.Samples);
        Assert.Equal(["c"], buffer.Peek(6).Select(s => s.Labels["__name__"]));
    }

    [Fact]
    public void A_series_larger_than_the_batch_limit_still_goes_out_alone()
    {
        var buffer = new SampleBuffer(100);
        buffer.Add([Series("big", 50), Series("small", 1)]);
        Assert.Equal(["big"], buffer.Peek(10).Select(s => s.Labels["__name__"]));
    }

    [Fact]
    public void When_full_drops_the_oldest_and_says_how_many()
    {
        var buffer = new SampleBuffer(5);
        Assert.Equal(0, buffer.Add([Series("old", 3)]));
        Assert.Equal(3, buffer.Add([Series("new", 4)]));
        Assert.Equal(4, buffer.Samples);
        Assert.Equal(["new"], buffer.Peek(10).Select(s => s.Labels["__name__"]));
    }

    [Fact]
    public void Committing_a_batch_that_was_dropped_meanwhile_removes_nothing_else()
    {
        var buffer = new SampleBuffer(4);
        buffer.Add([Series("a", 2)]);
        var batch = buffer.Peek(10);
        buffer.Add([Series("b", 2), Series("c", 2)]); // drops "a"
        buffer.Commit(batch);
        Assert.Equal(4, buffer.Samples);
    }
}
