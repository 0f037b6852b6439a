using System.Text.RegularExpressions;
using AiDevOps.Testing;

namespace AiDevOps.Brain.Tests;

/// <summary>
/// The Brain's folders depend one way, against the flow of data: the shared domain first, then each stage before
/// the stage that hands it data (alerting, then detection, then ingest), the host's wiring last. A folder may use only
/// the folders before it. A back edge is what turns rooms into a tangle.
/// </summary>
public partial class FolderGraphTests
{
    private static readonly string[] Layers = ["Cluster", "Tenancy", "Anomalies", "Storage", "Alerting", "Detection", "Ingest", "Apis", "Extensions"];

    [GeneratedRegex(@"\bAiDevOps\.Brain\.(?<folder>[A-Z][A-Za-z]*)")]
    private static partial Regex BrainNamespace();

    [Fact]
    public void Every_folder_uses_only_the_folders_before_it()
    {
        var root = Path.Combine(RepositoryRoot.Path, "AiDevOps.Brain");
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "Properties")).ToList();
        Assert.Equal(Layers.Order(), folders.Order()!);

        var backEdges = new List<string>();
        foreach (var (folder, rank) in Layers.Select((f, i) => (f, i)))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var lines = File.ReadAllLines(file).Where(line => !line.TrimStart().StartsWith("namespace ", StringComparison.Ordinal));
                foreach (var used in lines.SelectMany(line => BrainNamespace().Matches(line)).Select(m => m.Groups["folder"].Value).Distinct())
                {
                    if (Array.IndexOf(Layers, used) > rank)
                        backEdges.Add($"{Path.GetRelativePath(root, file)} uses {used}");
                }
            }
        }
        Assert.True(backEdges.Count == 0, "Back edges in the Brain's folder graph:\n" + string.Join("\n", backEdges));
    }
}
