using System.Net.Http.Headers;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;
using AiDevOps.Testing;
using Snappier;
using static AiDevOps.Testing.ProtobufWire;

namespace AiDevOps.Agent.Tests.Functional;

/// <summary>Hostile writes to the Agent's receiver: each is a 4xx problem naming what is wrong, never a 5xx, and nothing it took is lost.</summary>
public sealed class HostileReceiverTests : IAsyncLifetime
{
    private AgentBrainHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AgentBrainHarness.StartAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private Uri Agent => new($"http://127.0.0.1:{_harness.AgentPort}");

    private static Dictionary<string, string> Auth => new() { ["Authorization"] = "Bearer " + AgentBrainHarness.ReceiverKey };

    [Fact]
    public async Task A_malformed_chunked_body_an_unknown_charset_and_what_the_spec_forbids_are_4xx_problems()
    {
        var chunked = await RawHttp.SendBadChunkAsync(Agent, "POST", "/api/v1/write", RemoteWriteCodec.ContentType, Auth);
        Assert.True(chunked.Status == 400, $"{chunked.Status} {chunked.Body}\n{_harness.Logs}");
        Assert.Contains("chunk", chunked.Json().GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        var valid = Snappy.CompressToArray(WriteRequest([.. Label("__name__", "m"), .. Sample(1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]));
        foreach (var contentType in new[] { "application/x-protobuf; charset=", "application/x-protobuf; charset=klingon" })
        {
            var charset = await RawHttp.SendAsync(Agent, "POST", "/api/v1/write",
                Auth.Append(new("Content-Type", contentType)).Append(new("Content-Length", valid.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))), valid);
            Assert.True(charset.Status == 415, $"{contentType}: {charset.Status} {charset.Body}");
            Assert.Contains("charset", charset.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var name = Label("__name__", "hostile_rw");
        foreach (var (forbidden, field) in new (byte[], string)[]
        {
            (WriteRequest([.. name, .. Label("job", "a"), .. Label("job", "b"), .. Sample(1, now)]), "job"),
            (WriteRequest([.. name, .. Field(2, [.. VarintField(1, 7), .. VarintField(2, now)])]), "value"),
            ([.. Tag(1, Varint), .. VarintBytes(5)], "timeseries"),
        })
        {
            var response = await RawHttp.SendAsync(Agent, "POST", "/api/v1/write", Auth.Append(new("Content-Type", RemoteWriteCodec.ContentType))
                .Append(new("Content-Length", Snappy.CompressToArray(forbidden).Length.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                Snappy.CompressToArray(forbidden));
            Assert.True(response.Status == 400, $"{field}: {response.Status} {response.Body}");
            Assert.Contains(field, response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Fuzzed_writes_never_get_a_5xx_and_every_acknowledged_canary_reaches_the_brain()
    {
        using var http = new HttpClient { BaseAddress = Agent };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentBrainHarness.ReceiverKey);
        var canary = "canary-" + Guid.NewGuid().ToString("N")[..8];
        var fuzz = new HostileRequests(seed: 16);
        var failures = new List<string>();
        var acknowledged = new List<long>();
        var started = DateTimeOffset.UtcNow;
        var start = started.ToUnixTimeMilliseconds() - 600_000;
        for (var i = 0; i < 600; i++)
        {
            var at = start + i * 10;
            var series = new List<SeriesSamples>
            {
                new(new Dictionary<string, string> { ["__name__"] = "hostile_fuzz", ["instance"] = canary + "-f" }, [new SamplePoint(at, i)]),
            };
            var request = fuzz.NextProtobuf(Snappy.DecompressToArray(RemoteWriteCodec.Encode(series)), b => Snappy.CompressToArray(b));
            using var content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
                content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            if (request.ContentEncoding is not null)
                content.Headers.TryAddWithoutValidation("Content-Encoding", request.ContentEncoding);
            using var response = await http.PostAsync("/api/v1/write", content);
            if ((int)response.StatusCode >= 500)
                failures.Add($"#{i} {request.Mutation} [{request.ContentType}; {request.ContentEncoding}] → {(int)response.StatusCode}");
            if (i % 10 == 0)
            {
                Assert.True(await _harness.WriteToAgentAsync(http, [new(new Dictionary<string, string> { ["__name__"] = "hostile_fuzz", ["instance"] = canary }, [new SamplePoint(at, i)])]));
                acknowledged.Add(at);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + _harness.Logs);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<SamplePoint> stored;
        do
        {
            await Task.Delay(250);
            stored = await _harness.StoredSamplesAsync("hostile_fuzz", $"instance={canary}", started.AddMinutes(-11));
        }
        while (stored.Count < acknowledged.Count && DateTime.UtcNow < deadline);
        Assert.Equal(acknowledged, stored.Select(s => s.Timestamp).Order());
    }
}
