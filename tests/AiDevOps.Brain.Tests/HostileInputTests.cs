using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiDevOps.Contracts.RemoteWrite;
using AiDevOps.Testing;
using Snappier;
using static AiDevOps.Testing.ProtobufWire;

namespace AiDevOps.Brain.Tests;

/// <summary>Hostile bodies on every Brain endpoint that reads one: each is a 4xx problem naming what is wrong, never a 5xx.</summary>
public sealed class HostileInputTests(BrainFactory brain) : IClassFixture<BrainFactory>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Every endpoint that reads a body, with a content type it takes.</summary>
    public static TheoryData<string, string, string> BodyEndpoints => new()
    {
        { "POST", "/ingest", "application/json" },
        { "POST", "/api/v1/write", RemoteWriteCodec.ContentType },
        { "POST", "/api/v2/alerts", "application/json" },
        { "POST", "/api/alertmanager/webhook", "application/json" },
        { "POST", "/api/alert-config/receivers", "application/json" },
        { "PUT", "/api/alert-config/receivers/r1", "application/json" },
        { "POST", "/api/alert-config/routes", "application/json" },
        { "PUT", "/api/alert-config/routes/r1", "application/json" },
        { "PUT", "/api/alert-config/templates/telegram", "application/json" },
        { "POST", "/api/alert-config/templates/telegram/preview", "application/json" },
        { "POST", "/api/silences", "application/json" },
        { "POST", "/api/incidents/i1/acknowledge", "application/json" },
        { "POST", "/api/incidents/i1/silence", "application/json" },
        { "POST", "/api/incidents/i1/resolve", "application/json" },
        { "POST", "/api/v1/query", "application/x-www-form-urlencoded" },
        { "POST", "/api/v1/query_range", "application/x-www-form-urlencoded" },
        { "POST", "/api/v1/series", "application/x-www-form-urlencoded" },
    };

    public static TheoryData<string, string> JsonEndpoints()
    {
        var endpoints = new TheoryData<string, string>();
        foreach (var e in BodyEndpoints.Where(e => (string)e[2] == "application/json"))
            endpoints.Add((string)e[0], (string)e[1]);
        return endpoints;
    }

    private Uri BaseUrl
    {
        get
        {
            using var client = brain.CreateClient();
            return client.BaseAddress!;
        }
    }

    private static Dictionary<string, string> Auth => new() { ["Authorization"] = "Bearer " + BrainFactory.AcmeKey };

    [Theory]
    [MemberData(nameof(BodyEndpoints))]
    public async Task A_malformed_chunked_body_is_a_400_problem(string method, string path, string contentType)
    {
        var response = await RawHttp.SendBadChunkAsync(BaseUrl, method, path, contentType, Auth);

        Assert.True(response.Status == 400, $"{response.Status} {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType);
        Assert.True(response.Json().TryGetProperty("detail", out _), response.Body);
        Assert.Contains("chunk", response.Json().GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public async Task An_empty_or_unknown_charset_is_a_415_problem_naming_it(string method, string path)
    {
        foreach (var contentType in new[] { "application/json; charset=", "application/json; charset=klingon", "application/json; charset=\"\"" })
        {
            var response = await RawHttp.SendAsync(BaseUrl, method, path,
                Auth.Append(new("Content-Type", contentType)).Append(new("Content-Length", "2")), "{}"u8.ToArray());

            Assert.True(response.Status == 415, $"{contentType}: {response.Status} {response.Body}");
            Assert.StartsWith("application/problem+json", response.ContentType);
            Assert.Contains("charset", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{\"__name__\":null}", "__name__")]
    [InlineData("{\"__name__\":\"hostile_null\",\"job\":null}", "job")]
    [InlineData("{\"__name__\":\"hostile_null\",\"__name__\":null}", "__name__")]
    [InlineData("{\"__name__\":\"hostile_null\",\"job\":\"a\",\"job\":null}", "job")]
    public async Task A_null_or_repeated_label_is_a_400_naming_the_label(string labels, string label)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var body = $"{{\"series\":[{{\"labels\":{labels},\"samples\":[{{\"timestamp\":{Now},\"value\":1}}]}}]}}";
        using var response = await client.PostAsync("/ingest", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        // A null value is named by the validator ('job'); a key given twice by the reader, with its path (labels.job).
        Assert.Matches($"['.]{label}\\b", problem.ToString());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/series?metric=hostile_null")).EnumerateArray());
    }

    [Theory]
    [InlineData("/api/v2/alerts", "[{\"labels\":{\"alertname\":\"A\",\"alertname\":null}}]")]
    [InlineData("/api/v2/alerts", "[{\"labels\":{\"alertname\":\"A\",\"severity\":null},\"annotations\":{\"summary\":null}}]")]
    [InlineData("/api/alertmanager/webhook", "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":null}}]}")]
    public async Task Null_labels_in_alerts_are_a_400(string path, string body)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string, byte[], string> SpecViolations
    {
        get
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var name = Label("__name__", "hostile_rw");
            return new()
            {
                { "duplicate label name", WriteRequest([.. name, .. Label("job", "a"), .. Label("job", "b"), .. Sample(1, now)]), "job" },
                { "sample value as a varint", WriteRequest([.. name, .. Field(2, [.. VarintField(1, 7), .. VarintField(2, now)])]), "value" },
                { "timestamp as a double", WriteRequest([.. name, .. Field(2, [.. DoubleField(1, 7), .. DoubleField(2, now)])]), "timestamp" },
                { "series as a varint", [.. Tag(1, Varint), .. VarintBytes(5)], "timeseries" },
                { "label as a fixed64", WriteRequest([.. name, .. Tag(1, Fixed64), .. BitConverter.GetBytes(1L), .. Sample(1, now)]), "labels" },
                { "label name as a varint", WriteRequest([.. name, .. Field(1, [.. VarintField(1, 3), .. TextField(2, "v")]), .. Sample(1, now)]), "name" },
                { "samples as a varint", WriteRequest([.. name, .. VarintField(2, 3)]), "samples" },
            };
        }
    }

    [Theory]
    [MemberData(nameof(SpecViolations))]
    public async Task Remote_write_bodies_the_spec_forbids_are_a_400_naming_the_field(string violation, byte[] protobuf, string field)
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        using var content = new ByteArrayContent(Snappy.CompressToArray(protobuf));
        content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        using var response = await client.PostAsync("/api/v1/write", content);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{violation}: {response.StatusCode} {problem}");
        Assert.Contains(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/series?metric=hostile_rw")).EnumerateArray());
    }

    [Fact]
    public async Task A_snappy_body_claiming_more_than_its_bytes_can_hold_is_a_400_before_anything_is_allocated()
    {
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        // The length header says 500,000 bytes (a varint, within the decompressed limit); four bytes follow.
        using var content = new ByteArrayContent([0xA0, 0xC2, 0x1E, 0x00, 0x01, 0x02, 0x03]);
        content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        using var response = await client.PostAsync("/api/v1/write", content);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("claims 500000 bytes decompressed; 7 snappy bytes hold at most 154", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fuzzed_ingest_bodies_never_get_a_5xx_and_lose_nothing_already_accepted()
    {
        var canary = "canary-" + Guid.NewGuid().ToString("N")[..8];
        var acknowledged = new List<long>();
        var fuzz = new HostileRequests(seed: 16);
        var failures = new List<string>();
        using var client = brain.ClientWithKey(BrainFactory.AcmeKey);
        var start = Now - 600_000;
        for (var i = 0; i < 800; i++)
        {
            var at = start + i * 10;
            var series = new List<SeriesSamples>
            {
                new(new Dictionary<string, string> { ["__name__"] = "hostile_fuzz", ["instance"] = canary + "-f", ["job"] = "fuzz" }, [new SamplePoint(at, i)]),
            };
            // Alternate the two ways in; every tenth request is the canary's valid write, which must be kept.
            var request = i % 2 == 0
                ? fuzz.NextJson(JsonSerializer.Serialize(new IngestRequest(series), JsonSerializerOptions.Web))
                : fuzz.NextProtobuf(Snappy.DecompressToArray(RemoteWriteCodec.Encode(series)), b => Snappy.CompressToArray(b));
            var status = await SendAsync(client, i % 2 == 0 ? "/ingest" : "/api/v1/write", request);
            if (status >= 500)
                failures.Add($"#{i} {request.Mutation} [{request.ContentType}; {request.ContentEncoding}] → {status}");
            if (i % 10 == 0)
            {
                var canaryWrite = new IngestRequest([new(new Dictionary<string, string> { ["__name__"] = "hostile_fuzz", ["instance"] = canary }, [new SamplePoint(at, i)])]);
                using var kept = await client.PostAsJsonAsync("/ingest", canaryWrite);
                Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
                acknowledged.Add(at);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/series?metric=hostile_fuzz&instance={canary}");
        var id = Assert.Single(stored.EnumerateArray()).GetProperty("id").GetString();
        var samples = await client.GetFromJsonAsync<JsonElement>($"/api/series/{id}/samples?from={start / 1000 - 1}&limit=10000");
        Assert.Equal(acknowledged, samples.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("timestamp").GetInt64()));
    }

    private static async Task<int> SendAsync(HttpClient client, string path, HostileRequest request)
    {
        using var content = new ByteArrayContent(request.Body);
        if (request.ContentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        if (request.ContentEncoding is not null)
            content.Headers.TryAddWithoutValidation("Content-Encoding", request.ContentEncoding);
        using var response = await client.PostAsync(path, content);
        return (int)response.StatusCode;
    }
}
