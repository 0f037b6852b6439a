using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Ingest;

/// <summary>
/// Batch ids already stored, so a delivery retried by an agent (at-least-once) is stored once. A batch is recorded
/// only after its samples are durable; a crash between the two means the retry stores it again, which the
/// sample layout absorbs (a repeated timestamp of a series is kept once).
/// </summary>
public sealed class BatchLedger(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock)
{
    /// <summary>How long a batch id is remembered: far longer than any agent keeps retrying one batch.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromDays(7);

    private const string Sort = "batch";
    private readonly string _table = options.Value.DataTable;

    public async Task<bool> ContainsAsync(string tenant, string batchId, CancellationToken ct) =>
        await table.GetAsync(_table, DataKeys.Batch(tenant, batchId), Sort, ct) is not null;

    public Task RecordAsync(string tenant, string batchId, CancellationToken ct) =>
        table.PutAsync(_table,
        [
            new StoredItem(DataKeys.Batch(tenant, batchId), Sort) { ExpiresAt = (clock.GetUtcNow() + Memory).ToUnixTimeSeconds() },
        ], ct);

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= 128 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
