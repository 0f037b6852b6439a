using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Storage;

public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";
    public const string DynamoDbBackend = "dynamodb";
    public const string AzureTablesBackend = "azuretables";

    /// <summary>Where everything is stored: <c>dynamodb</c> (AWS, or a local stand-in) or <c>azuretables</c> (Azure Table Storage).</summary>
    public string Backend { get; set; } = DynamoDbBackend;

    /// <summary>Tables are named <c>&lt;prefix&gt;-data</c> and <c>&lt;prefix&gt;-alert-configs</c> (Azure drops the '-').</summary>
    [Required, RegularExpression("^[a-zA-Z][a-zA-Z0-9_.-]{0,49}$", ErrorMessage = "Storage:TablePrefix must start with a letter and have at most 50 letters, digits, '_', '.' or '-'.")]
    public string TablePrefix { get; set; } = "aidevops";

    /// <summary>How long samples and series are kept, unless <see cref="TenantRetention"/> says otherwise for a tenant.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(15);

    /// <summary>Retention per tenant, e.g. <c>Storage:TenantRetention:acme = 90.00:00:00</c>.</summary>
    public Dictionary<string, TimeSpan> TenantRetention { get; set; } = [];

    public string DataTable => $"{TablePrefix}-data";
    public string AlertConfigsTable => $"{TablePrefix}-alert-configs";

    public TimeSpan RetentionFor(string tenant) => TenantRetention.TryGetValue(tenant, out var retention) ? retention : Retention;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Retention <= TimeSpan.Zero)
            yield return new ValidationResult($"Storage:Retention '{Retention}' must be positive.", [nameof(Retention)]);
        foreach (var (tenant, retention) in TenantRetention.Where(t => t.Value <= TimeSpan.Zero))
            yield return new ValidationResult($"Storage:TenantRetention:{tenant} '{retention}' must be positive.", [nameof(TenantRetention)]);
    }
}
