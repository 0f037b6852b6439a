using System.Text;
using AiDevOps.Agent.Delivery;

namespace AiDevOps.Agent.Tests;

public sealed class SegmentedLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aidevops-log-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private SegmentedLog Open(long maxBytes = 1 << 20, long segmentBytes = 4096) => new(_folder, maxBytes, segmentBytes);

    private static byte[] Payload(int i) => Encoding.UTF8.GetBytes($"record-{i}-" + new string('x', 100));

    [Fact]
    public void Records_come_out_in_order_and_leave_only_when_acknowledged()
    {
        using var log = Open();
        for (var i = 0; i < 100; i++)
            log.Append(Payload(i), samples: 2);
        Assert.Equal(200, log.PendingSamples);

        for (var i = 0; i < 100; i++)
        {
            var record = log.Peek()!;
            Assert.Equal(Payload(i), record.Payload);
            Assert.Equal(record.Position, log.Peek()!.Position);
            log.Acknowledge(record);
        }
        Assert.Null(log.Peek());
        Assert.Equal(0, log.PendingSamples);
        Assert.Equal(0, log.PendingBytes);
    }

    [Fact]
    public void A_reopened_log_resumes_after_the_last_acknowledged_record_with_the_same_identity_and_positions()
    {
        string id;
        QueuePosition third;
        using (var log = Open())
        {
            id = log.Id;
            for (var i = 0; i < 50; i++)
                log.Append(Payload(i), 1);
            log.Acknowledge(log.Peek()!);
            log.Acknowledge(log.Peek()!);
            third = log.Peek()!.Position;
        }

        using var reopened = Open();
        Assert.Equal(id, reopened.Id);
        var next = reopened.Peek()!;
        Assert.Equal(third, next.Position);
        Assert.Equal(Payload(2), next.Payload);
        Assert.Equal(48, reopened.PendingSamples);
    }

    [Fact]
    public void A_torn_tail_from_a_crash_is_cut_and_the_records_before_it_survive()
    {
        using (var log = Open())
        {
            log.Append(Payload(0), 1);
            log.Append(Payload(1), 1);
        }
        var segment = Directory.GetFiles(_folder, "*.seg").Single();
        using (var file = new FileStream(segment, FileMode.Append))
            file.Write([200, 0, 0, 0, 1, 2, 3]); // a header promising 200 bytes that never came

        using var reopened = Open();
        Assert.Equal(Payload(0), reopened.Peek()!.Payload);
        reopened.Acknowledge(reopened.Peek()!);
        Assert.Equal(Payload(1), reopened.Peek()!.Payload);
        reopened.Acknowledge(reopened.Peek()!);
        Assert.Null(reopened.Peek());
        reopened.Append(Payload(2), 1);
        Assert.Equal(Payload(2), reopened.Peek()!.Payload);
    }

    [Fact]
    public void A_corrupt_record_ends_the_valid_part()
    {
        using (var log = Open())
        {
            log.Append(Payload(0), 1);
            log.Append(Payload(1), 1);
        }
        var segment = Directory.GetFiles(_folder, "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^5] ^= 0xFF; // flip a byte inside the second payload
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();
        Assert.Equal(1, reopened.PendingSamples);
    }

    [Fact]
    public void When_full_the_oldest_segments_go_and_their_samples_are_counted()
    {
        using var log = Open(maxBytes: 4 * 4096, segmentBytes: 4096);
        long dropped = 0;
        for (var i = 0; i < 400; i++)
            dropped += log.Append(Payload(i), 1);

        Assert.True(dropped > 0);
        Assert.Equal(400 - dropped, log.PendingSamples);
        Assert.True(log.PendingBytes <= 4 * 4096);
        // What is left is the newest, still in order.
        var first = Encoding.UTF8.GetString(log.Peek()!.Payload);
        Assert.Equal($"record-{dropped}-", first[..$"record-{dropped}-".Length]);
        Assert.True(Directory.GetFiles(_folder, "*.seg").Length <= 5);
    }

    [Fact]
    public void Acknowledged_segments_are_deleted()
    {
        using var log = Open(segmentBytes: 4096);
        for (var i = 0; i < 200; i++)
            log.Append(Payload(i), 1);
        Assert.True(Directory.GetFiles(_folder, "*.seg").Length > 3);
        while (log.Peek() is { } record)
            log.Acknowledge(record);
        Assert.Single(Directory.GetFiles(_folder, "*.seg"));
    }
}
