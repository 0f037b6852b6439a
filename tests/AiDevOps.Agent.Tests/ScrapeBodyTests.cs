using System.Text;
using AiDevOps.Agent.Collection;

namespace AiDevOps.Agent.Tests;

public class ScrapeBodyTests
{
    [Fact]
    public async Task A_page_larger_than_the_first_buffer_and_of_no_stated_length_is_read_whole_and_without_its_byte_order_mark()
    {
        var page = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"m{{id=\"{i}\",city=\"Zürich 北\"}} {i}\n"));
        using var content = new StreamContent(new UnseekableStream([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(page)]));
        Assert.Null(content.Headers.ContentLength);

        using var body = await ScrapeBody.ReadAsync(content, CancellationToken.None);

        Assert.True(page.Length > 64 * 1024);
        Assert.Equal(page, body.Text.ToString());
    }

    [Fact]
    public async Task A_stated_length_larger_than_what_arrives_is_not_believed()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("up 1\n"));
        content.Headers.ContentLength = int.MaxValue;
        var before = GC.GetTotalAllocatedBytes(precise: true);

        using var body = await ScrapeBody.ReadAsync(content, CancellationToken.None);

        Assert.Equal("up 1\n", body.Text.ToString());
        // A 2 GB buffer for a claim: far more than the cap on a claimed length (16 MB) and whatever else runs meanwhile.
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 256 << 20);
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
