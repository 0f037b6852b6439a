namespace AiDevOps.Web.Brain;

/// <summary>
/// The Brain refused a request: its problem details' title and, for a validation problem, the message of each field,
/// keyed as the Brain names them (camelCase), so a form can show each next to its field.
/// </summary>
public sealed class BrainException(int status, string title, IReadOnlyDictionary<string, string[]> errors)
    : Exception(errors.Count > 0 ? $"{title} {string.Join(" ", errors.SelectMany(e => e.Value))}" : title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>The message for one field, or null.</summary>
    public string? For(string field) =>
        Errors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } messages
            ? string.Join(" ", messages)
            : null;

    /// <summary>What a form shows beside its fields: the title and the messages of fields it does not have.</summary>
    public string? Besides(params string[] fields)
    {
        var others = Errors.Where(e => !fields.Contains(e.Key, StringComparer.OrdinalIgnoreCase)).SelectMany(e => e.Value).ToList();
        if (others.Count == 0 && Errors.Count > 0)
            return null;
        return others.Count == 0 ? Title : $"{Title} {string.Join(" ", others)}";
    }
}
