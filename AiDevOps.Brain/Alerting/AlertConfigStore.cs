using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using AiDevOps.Brain.Storage;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting;

/// <summary>
/// Where a tenant's alerts go: a channel (e.g. <c>telegram</c>), an address on it (e.g. a chat id) and optionally
/// a secret the channel needs (a bot token, a webhook URL with its key). The secret never leaves the Brain except
/// towards its channel, so it is kept out of <see cref="ToString"/> and out of every API answer.
/// </summary>
public sealed record Receiver(string Channel, string Address, string? Secret = null)
{
    /// <summary>A short stable id for APIs: addresses may hold characters that do not belong in a URL path.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Channel + "\0" + Address)).AsSpan(0, 8));

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Channel = {Channel}, Address = {Address}, Secret = {(Secret is null ? "none" : "***")}");
        return true;
    }
}

/// <summary>The <c>-alert-configs</c> table: receivers (one item each, keyed by tenant) and routes (a partition of their own).</summary>
/// <remarks>Secrets are stored sealed (<see cref="SecretSealer"/>), never as plain attributes.</remarks>
public sealed class AlertConfigStore(IKeyValueTable table, IOptions<StorageOptions> options, SecretSealer sealer)
{
    private const string SecretAttribute = "secret";
    private readonly string _table = options.Value.AlertConfigsTable;

    public async Task PutReceiverAsync(string tenant, Receiver receiver, CancellationToken ct)
    {
        var attributes = new Dictionary<string, string> { ["channel"] = receiver.Channel, ["address"] = receiver.Address };
        if (receiver.Secret is not null)
            attributes[SecretAttribute] = await sealer.SealAsync(receiver.Secret, ct);
        await table.PutAsync(_table, [new StoredItem(tenant, SortKey(receiver)) { Attributes = attributes }], ct);
    }

    public async Task<IReadOnlyList<Receiver>> ListReceiversAsync(string tenant, CancellationToken ct)
    {
        var receivers = new List<Receiver>();
        await foreach (var item in table.QueryAsync(_table, tenant, null, null, ct))
        {
            var secret = item.Attributes.GetValueOrDefault(SecretAttribute) is { } stored ? await sealer.OpenAsync(stored, ct) : null;
            receivers.Add(new Receiver(item.Attributes["channel"], item.Attributes["address"], secret));
        }
        return receivers;
    }

    public async Task<Receiver?> FindReceiverAsync(string tenant, string id, CancellationToken ct) =>
        (await ListReceiversAsync(tenant, ct)).FirstOrDefault(r => r.Id == id);

    public Task DeleteReceiverAsync(string tenant, Receiver receiver, CancellationToken ct) =>
        table.DeleteAsync(_table, tenant, SortKey(receiver), ct);

    public Task PutRouteAsync(string tenant, AlertRoute route, CancellationToken ct)
    {
        var attributes = new Dictionary<string, string>
        {
            ["selector"] = route.Selector,
            ["receivers"] = string.Join(',', route.ReceiverIds),
            ["continue"] = route.Continue ? "true" : "false",
            ["position"] = route.Position.ToString(CultureInfo.InvariantCulture),
        };
        if (route.Settings is { } settings)
            attributes["settings"] = JsonSerializer.Serialize(settings);
        return table.PutAsync(_table, [new StoredItem(RoutesPartition(tenant), route.Id) { Attributes = attributes }], ct);
    }

    /// <summary>A tenant's routes in the order they are tried.</summary>
    public async Task<IReadOnlyList<AlertRoute>> ListRoutesAsync(string tenant, CancellationToken ct)
    {
        var routes = new List<AlertRoute>();
        await foreach (var item in table.QueryAsync(_table, RoutesPartition(tenant), null, null, ct))
        {
            var a = item.Attributes;
            routes.Add(new AlertRoute(item.Sort, a["selector"], a["receivers"].Split(',', StringSplitOptions.RemoveEmptyEntries),
                a.GetValueOrDefault("continue") == "true",
                a.TryGetValue("position", out var position) ? int.Parse(position, CultureInfo.InvariantCulture) : 0,
                a.TryGetValue("settings", out var settings) ? JsonSerializer.Deserialize<RouteSettings>(settings) : null));
        }
        return [.. routes.OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    public Task DeleteRouteAsync(string tenant, string id, CancellationToken ct) => table.DeleteAsync(_table, RoutesPartition(tenant), id, ct);

    private static string SortKey(Receiver receiver) => $"{receiver.Channel}|{receiver.Address}";

    private static string RoutesPartition(string tenant) => $"{tenant}|routes";
}
