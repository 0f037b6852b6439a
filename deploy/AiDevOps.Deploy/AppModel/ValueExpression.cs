namespace AiDevOps.Deploy.AppModel;

/// <summary>
/// A setting's value in the manifest: literal text with references in braces, as Aspire writes them
/// (<c>{insights.bindings.http.url}</c>, <c>{agent-api-key-sha256.value}</c>, <c>{models.outputs.bucketName}</c>).
/// </summary>
public static class ValueExpression
{
    public static IReadOnlyList<ValuePart> Parse(string value)
    {
        var parts = new List<ValuePart>();
        var at = 0;
        while (at < value.Length)
        {
            var open = value.IndexOf('{', at);
            if (open < 0)
            {
                parts.Add(new LiteralPart(value[at..]));
                break;
            }
            if (open > at)
                parts.Add(new LiteralPart(value[at..open]));
            var close = value.IndexOf('}', open);
            if (close < 0)
                throw new ManifestException($"'{value}' opens a reference at {open} that is never closed.");
            var path = value[(open + 1)..close].Split('.');
            if (path.Length < 2 || path.Any(string.IsNullOrEmpty))
                throw new ManifestException($"'{value[open..(close + 1)]}' is not a reference (resource.property).");
            parts.Add(new ReferencePart(path[0], path[1..]));
            at = close + 1;
        }
        return parts;
    }
}

public abstract record ValuePart;

public sealed record LiteralPart(string Text) : ValuePart;

/// <summary>A reference to a resource's property: <c>Resource</c> and the rest of the path (<c>bindings, http, url</c>).</summary>
public sealed record ReferencePart(string Resource, IReadOnlyList<string> Path) : ValuePart
{
    public string Property => string.Join('.', Path);

    public override string ToString() => $"{{{Resource}.{Property}}}";
}
