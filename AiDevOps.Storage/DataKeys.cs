using System.Globalization;

namespace AiDevOps.Storage;

/// <summary>
/// How items are keyed in the <c>-data</c> table. Every partition key starts with the tenant, so a query can only
/// ever reach the tenant it was built for. Timestamps are zero-padded so that string order is time order.
/// </summary>
public static class DataKeys
{
    public const string PartitionKey = "pk";
    public const string SortKey = "sk";

    public static string Chunks(string tenant, string seriesId) => $"{tenant}|chunks|{seriesId}";
    public static string WriteAheadLog(string tenant) => $"{tenant}|wal";
    public static string SeriesSets(string tenant) => $"{tenant}|series-sets";
    public static string FoldState(string tenant) => $"{tenant}|fold";
    public static string SeriesByMetric(string tenant, string metric) => $"{tenant}|series|{metric}";
    public static string Metrics(string tenant) => $"{tenant}|metrics";
    public static string Agents(string tenant) => $"{tenant}|agents";
    public static string Anomalies(string tenant) => $"{tenant}|anomalies";
    public static string Batch(string tenant, string batchId) => $"{tenant}|batch|{batchId}";
    public static string Outbox(string tenant) => $"{tenant}|outbox";
    public static string Incidents(string tenant) => $"{tenant}|incidents";
    public static string IncidentMessages(string tenant) => $"{tenant}|incident-messages";

    /// <summary>The largest time a key can hold (15 digits of milliseconds: year 33658).</summary>
    public const long MaxTime = 999_999_999_999_999;

    public static string Time(long unixMilliseconds) =>
        unixMilliseconds.ToString("D15", CultureInfo.InvariantCulture);

    public static long ParseTime(string sortKey) =>
        long.Parse(sortKey.AsSpan(0, 15), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Values keep NaN and infinities (Prometheus uses both), which DynamoDB numbers cannot hold.</summary>
    public static string Value(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static double ParseValue(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A point in time as an attribute: Unix milliseconds.</summary>
    public static string Instant(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(text, CultureInfo.InvariantCulture));
}
