using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AiDevOps.Storage;
using AiDevOps.Testing;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiDevOps.Bench;

/// <summary>
/// 1,000 node_exporter-like series, one day at 15 s, through ChunkedSampleStore into dynalite, delivered as the Agent
/// does (one delivery per interval) and folded as ChunkFoldService does (checked every minute): write units, stored
/// bytes, ingest throughput, and the reads and latency of range queries. Quick: 200 series for 4 hours (two blocks).
/// </summary>
internal static class StorageBench
{
    private const long Interval = 15_000;
    private const string Tenant = "bench";

    public static async Task<int> RunAsync(bool quick)
    {
        var (seriesCount, hours) = quick ? (200, 4) : (1000, 24);
        var steps = hours * 60 * 4;
        await using var dynalite = await DynaliteServer.StartAsync();
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
            new AmazonDynamoDBConfig { ServiceURL = dynalite.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var clock = new BenchClock(start);
        var table = new MeteredTable(new DynamoDbTable(dynamo, new BatchWriter(dynamo), clock, NullLogger<DynamoDbTable>.Instance));
        var options = Options.Create(new StorageOptions { TablePrefix = "bench" });
        await table.EnsureTableAsync(options.Value.DataTable, default);
        var store = new ChunkedSampleStore(table, options, clock);
        var hosts = new NodeExporterHosts(Tenant, seriesCount, seed: 42);

        var ingest = Stopwatch.StartNew();
        var appendTime = TimeSpan.Zero;
        for (var step = 0; step < steps; step++)
        {
            var timestamp = start.ToUnixTimeMilliseconds() + step * Interval;
            clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(timestamp + 150); // arrives a little after the scrape
            var scrape = hosts.Scrape(timestamp);
            var append = Stopwatch.StartNew();
            await store.AppendAsync(scrape, default);
            appendTime += append.Elapsed;
            if (step % 4 == 3)
                await store.FoldAsync(Tenant, default);
        }
        // A dashboard's last hour before the last block is folded: the first query reads the unfolded log, the next
        // ones only its recent end.
        var lastHour = new List<string>();
        foreach (var attempt in new[] { "first", "next" })
        {
            var (reads, items, bytes) = (table.Reads, table.ItemsRead, table.BytesRead);
            var query = Stopwatch.StartNew();
            var count = (await store.ReadAsync(Tenant, hosts.AllSeries[137].Id, clock.GetUtcNow().AddHours(-1).ToUnixTimeMilliseconds(), clock.GetUtcNow().ToUnixTimeMilliseconds(), 10_000, default)).Count;
            lastHour.Add($"{attempt}: {count} samples, {table.Reads - reads} reads, {table.ItemsRead - items} items, {table.BytesRead - bytes:N0} bytes, {query.Elapsed.TotalMilliseconds:N1} ms");
        }

        // The day is over: let the last block be folded as it would be two hours later, and its log expire (TTL).
        clock.Now = start.AddHours(hours).AddMinutes(3);
        await store.FoldAsync(Tenant, default);
        ingest.Stop();
        table.ExpireWriteAheadLog();

        long samples = (long)seriesCount * steps;
        var stored = table.StoredBytesByKind();
        var storedBytes = stored.Values.Sum();
        var writes = (table.WriteUnits, table.ItemsWritten, table.BytesWritten);

        // A range query of the whole day for one series, as a dashboard asks it: repeated for a stable latency.
        var series = hosts.AllSeries[137];
        var (readsBefore, itemsBefore, bytesBefore) = (table.Reads, table.ItemsRead, table.BytesRead);
        const int Queries = 20;
        var latencies = new List<double>();
        var returned = 0;
        for (var i = 0; i < Queries; i++)
        {
            var query = Stopwatch.StartNew();
            returned = (await store.ReadAsync(Tenant, series.Id, start.ToUnixTimeMilliseconds(), start.AddHours(hours).ToUnixTimeMilliseconds() - 1, 10_000, default)).Count;
            latencies.Add(query.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();

        var samplesPerWcu = samples / (double)writes.WriteUnits;
        var bytesPerSample = storedBytes / (double)samples;
        Console.WriteLine($"samples                 {samples:N0} ({seriesCount} series x {steps} scrapes at 15 s)");
        Console.WriteLine($"writes                  {writes.ItemsWritten:N0} items, {writes.BytesWritten / 1024.0 / 1024.0:N1} MiB, {writes.WriteUnits:N0} write units");
        Console.WriteLine($"samples per write unit  {F(samplesPerWcu, "N1")}");
        Console.WriteLine($"stored after fold + TTL {storedBytes:N0} bytes = {F(bytesPerSample, "N3")} bytes/sample ({string.Join(", ", stored.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value:N0}"))})");
        Console.WriteLine($"ingest -> durable       {F(samples / appendTime.TotalSeconds, "N0")} samples/s in appends ({F(appendTime.TotalSeconds, "N1")} s); whole run with folds {F(ingest.Elapsed.TotalSeconds, "N1")} s");
        Console.WriteLine($"{$"{hours} h query, one series",-24}{returned} samples; per query {(table.Reads - readsBefore) / Queries} reads, {(table.ItemsRead - itemsBefore) / Queries} items, {(table.BytesRead - bytesBefore) / Queries:N0} bytes; latency median {F(latencies[Queries / 2])} ms, max {F(latencies[^1])} ms");
        Console.WriteLine($"last hour, unfolded     {string.Join("; ", lastHour)}");
        Console.WriteLine(JsonSerializer.Serialize(new { bench = "storage", samples_per_wcu = Math.Round(samplesPerWcu, 1), bytes_per_sample = Math.Round(bytesPerSample, 3) }));
        return 0;
    }

    private static string F(double v, string format = "N2") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The store's clock, moved by the stream: a day passes in minutes.</summary>
    private sealed class BenchClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
