using System.ComponentModel.DataAnnotations;

namespace AiDevOps.Brain.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Tables are named <c>&lt;prefix&gt;-data</c> and <c>&lt;prefix&gt;-alert-configs</c>.</summary>
    [Required, RegularExpression("^[a-zA-Z0-9_.-]{1,200}$", ErrorMessage = "Storage:TablePrefix must be 1-200 characters of letters, digits, '_', '.' or '-'.")]
    public string TablePrefix { get; set; } = "aidevops";

    public string DataTable => $"{TablePrefix}-data";
    public string AlertConfigsTable => $"{TablePrefix}-alert-configs";
}
