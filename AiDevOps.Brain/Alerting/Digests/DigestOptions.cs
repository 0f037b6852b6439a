using System.ComponentModel.DataAnnotations;
using Quartz;

namespace AiDevOps.Brain.Alerting.Digests;

public sealed class DigestOptions : IValidatableObject
{
    public const string Section = "Digest";
    public const string Off = "off";

    /// <summary>When each tenant's digest of the past day goes out: a Quartz cron expression in UTC, or <c>off</c>.</summary>
    public string Cron { get; set; } = "0 0 8 * * ?";

    /// <summary>A tenant's own schedule (a cron expression or <c>off</c>), by tenant.</summary>
    public Dictionary<string, string> Tenants { get; set; } = [];

    public string CronFor(string tenant) => Tenants.GetValueOrDefault(tenant, Cron);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, cron) in new[] { ("Cron", Cron) }.Concat(Tenants.Select(t => ($"Tenants:{t.Key}", t.Value))))
        {
            if (cron != Off && !IsCron(cron))
                yield return new ValidationResult($"{Section}:{name} '{cron}' is neither a Quartz cron expression (e.g. '0 0 8 * * ?') nor '{Off}'.", [nameof(Cron)]);
        }
    }

    public static bool IsCron(string cron)
    {
        try
        {
            _ = new CronExpression(cron);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
