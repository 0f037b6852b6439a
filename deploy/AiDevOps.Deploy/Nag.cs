using Amazon.CDK;
using Constructs;

namespace AiDevOps.Deploy;

/// <summary>
/// Suppressions of cdk-nag's AwsSolutions rules, each with its reason, written where cdk-nag reads them: the
/// <c>cdk_nag</c> metadata of the resource in the synthesised template (cdk-nag itself is an npm package, run on
/// the template by deploy/nag).
/// </summary>
public static class Nag
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CfnResource, List<Dictionary<string, object>>> Suppressions = [];

    /// <summary>A resource's logical id in its template, as cdk-nag names it in a finding's <c>applies_to</c>.</summary>
    public static string LogicalIdOf(IConstruct construct) =>
        Stack.Of(construct).GetLogicalId((CfnElement)construct.Node.DefaultChild!);

    public static void Suppress(IConstruct construct, string rule, string reason, params string[] appliesTo)
    {
        var resource = construct as CfnResource ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"{construct.Node.Path} is not a CloudFormation resource and has none as its default child.", nameof(construct));
        var rules = Suppressions.GetOrCreateValue(resource);
        var suppression = new Dictionary<string, object> { ["id"] = "AwsSolutions-" + rule, ["reason"] = reason };
        if (appliesTo.Length > 0)
            suppression["applies_to"] = appliesTo;
        rules.Add(suppression);
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules.ToArray() });
    }
}
