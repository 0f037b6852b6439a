using System.Collections.Concurrent;
using AiDevOps.Storage;
using Microsoft.Extensions.Options;

namespace AiDevOps.Brain.Alerting.Templates;

/// <summary>
/// A tenant's templates, one item a channel in the alert-configs table beside its routes and silences. Notifiers
/// read through a short cache (one read a tenant and channel per <see cref="CacheFor"/>, not one a message); a change
/// through this Brain is seen at once, one made by another Brain instance within that time.
/// </summary>
public sealed class AlertTemplateStore(IKeyValueTable table, IOptions<StorageOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly string _table = options.Value.AlertConfigsTable;
    private readonly ConcurrentDictionary<(string Tenant, string Channel), (AlertTemplate? Template, DateTimeOffset ReadAt)> _cache = new();

    public async Task PutAsync(string tenant, AlertTemplate template, CancellationToken ct)
    {
        var attributes = new Dictionary<string, string> { ["updatedAt"] = DataKeys.Instant(template.UpdatedAt) };
        if (template.Body is not null)
            attributes["body"] = template.Body;
        if (template.Subject is not null)
            attributes["subject"] = template.Subject;
        await table.PutAsync(_table, [new StoredItem(Partition(tenant), template.Channel) { Attributes = attributes }], ct);
        _cache[(tenant, template.Channel)] = (template, clock.GetUtcNow());
    }

    public async Task<AlertTemplate?> GetAsync(string tenant, string channel, CancellationToken ct)
    {
        var template = await table.GetAsync(_table, Partition(tenant), channel, ct) is { } item
            ? new AlertTemplate(channel, item.Attributes.GetValueOrDefault("body"), item.Attributes.GetValueOrDefault("subject"),
                DataKeys.ParseInstant(item.Attributes["updatedAt"]))
            : null;
        _cache[(tenant, channel)] = (template, clock.GetUtcNow());
        return template;
    }

    /// <summary>The template as notifiers see it: from the cache while it is fresh.</summary>
    public async Task<AlertTemplate?> FindAsync(string tenant, string channel, CancellationToken ct) =>
        _cache.TryGetValue((tenant, channel), out var cached) && clock.GetUtcNow() - cached.ReadAt < CacheFor
            ? cached.Template
            : await GetAsync(tenant, channel, ct);

    public async Task DeleteAsync(string tenant, string channel, CancellationToken ct)
    {
        await table.DeleteAsync(_table, Partition(tenant), channel, ct);
        _cache[(tenant, channel)] = (null, clock.GetUtcNow());
    }

    private static string Partition(string tenant) => $"{tenant}|templates";
}
