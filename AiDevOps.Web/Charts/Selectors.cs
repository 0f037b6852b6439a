namespace AiDevOps.Web.Charts;

/// <summary>A series' labels as a PromQL selector, as people read them, and as the explore page's query string.</summary>
public static class Selectors
{
    public static string Of(IReadOnlyDictionary<string, string> labels)
    {
        var name = labels.GetValueOrDefault("__name__", "");
        var matchers = labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{Escape(l.Value)}\"");
        return name + "{" + string.Join(",", matchers) + "}";
    }

    /// <summary>The labels other than the metric name as people read them: <c>{a="1", b="2"}</c>.</summary>
    public static string Display(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    /// <summary>metric=…&amp;label.instance=…: what the explore page reads back into its fields.</summary>
    public static string QueryString(IReadOnlyDictionary<string, string> labels) =>
        "metric=" + Uri.EscapeDataString(labels.GetValueOrDefault("__name__", ""))
        + string.Concat(labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"&label.{Uri.EscapeDataString(l.Key)}={Uri.EscapeDataString(l.Value)}"));

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
