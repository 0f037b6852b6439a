using AiDevOps.Deploy.AppModel;
using AiDevOps.Deploy.Cloud;
using Amazon.CDK;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;

namespace AiDevOps.Deploy.Services;

/// <summary>
/// Turns a service's settings from the manifest into what its task gets: plain values as environment variables,
/// secret parameters as ECS secrets from Secrets Manager (never as plain environment), plain parameters as
/// CloudFormation parameters with the AppHost's defaults, another service's address as its name in the private DNS
/// namespace, and a cloud resource's output as that resource's value, which also grants the service its use.
/// </summary>
public sealed class SettingResolver(Construct scope, AppManifest manifest, IReadOnlyDictionary<string, ICloudResource> cloud, string dnsNamespace)
{
    public const int ContainerPort = 8080;

    private readonly Dictionary<string, ISecret> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CfnParameter> _parameters = new(StringComparer.Ordinal);

    /// <summary>The Secrets Manager secrets made so far, by parameter name.</summary>
    public IReadOnlyDictionary<string, ISecret> Secrets => _secrets;

    public static string Address(string service, string dnsNamespace) => $"{service}.{dnsNamespace}";

    public ResolvedSettings Resolve(ServiceModel service)
    {
        var settings = new ResolvedSettings();
        foreach (var (name, value) in service.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var parts = ValueExpression.Parse(value);
            if (parts is [ReferencePart { Property: "value" } only] && Parameter(only.Resource) is { Secret: true } secret)
            {
                settings.Secrets[name] = EcsSecret.FromSecretsManager(SecretFor(secret));
                continue;
            }
            var text = new System.Text.StringBuilder();
            var served = true;
            foreach (var part in parts)
            {
                if (part is LiteralPart literal)
                    text.Append(literal.Text);
                else if (Reference(service, name, (ReferencePart)part, settings) is { } resolved)
                    text.Append(resolved);
                else
                    served = false;
            }
            if (served)
                settings.Environment[name] = text.ToString();
        }
        return settings;
    }

    /// <summary>A reference's value, or null for an endpoint the deployment does not serve (https: TLS ends at the load balancer).</summary>
    private string? Reference(ServiceModel service, string setting, ReferencePart reference, ResolvedSettings settings)
    {
        if (Parameter(reference.Resource) is { } parameter)
        {
            if (reference.Property != "value")
                throw Unresolvable(service, setting, reference, "a parameter has only a value");
            if (parameter.Secret)
                throw Unresolvable(service, setting, reference, "a secret is injected whole, so it cannot be part of a longer value");
            return PlainParameter(parameter).ValueAsString;
        }
        if (manifest.Services.FirstOrDefault(s => s.Name == reference.Resource) is { } target)
        {
            if (reference.Path is not ["bindings", var binding, var property])
                throw Unresolvable(service, setting, reference, "a service is referred to by its bindings");
            if (binding != "http")
                return null;
            if (target.Name != service.Name)
                settings.Calls.Add(target.Name);
            return property switch
            {
                "url" => $"http://{Address(target.Name, dnsNamespace)}:{ContainerPort}",
                "host" => Address(target.Name, dnsNamespace),
                "port" or "targetPort" => ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw Unresolvable(service, setting, reference, "a binding has url, host, port and targetPort"),
            };
        }
        if (cloud.TryGetValue(reference.Resource, out var resource))
        {
            if (reference.Path is not ["outputs", var output])
                throw Unresolvable(service, setting, reference, "a cloud resource is referred to by its outputs");
            settings.Uses.Add(resource);
            return resource.Output(output);
        }
        throw Unresolvable(service, setting, reference, $"no resource is named '{reference.Resource}'");
    }

    private ParameterModel? Parameter(string name) => manifest.Parameters.GetValueOrDefault(name);

    private ISecret SecretFor(ParameterModel parameter)
    {
        if (_secrets.TryGetValue(parameter.Name, out var existing))
            return existing;
        var stack = Stack.Of(scope);
        // A generated value where the AppHost generates one (an internal key); any other is a placeholder the operator
        // replaces (README: Deploy to AWS). Names are stable so the README's commands find them.
        var secret = new Secret(scope, "Secret-" + parameter.Name, new SecretProps
        {
            SecretName = $"{stack.StackName}/{parameter.Name}",
            Description = $"AiDevOps parameter '{parameter.Name}' (the AppHost's secret parameter of that name).",
            GenerateSecretString = new SecretStringGenerator
            {
                PasswordLength = Math.Max(parameter.GeneratedLength ?? 48, 32),
                ExcludePunctuation = true,
            },
        });
        Nag.Suppress(secret, "SMG4",
            "Keys are shared with agents and operators; they are rotated by putting a new value (README: Deploy to AWS) and restarting, not by a rotation Lambda.");
        _secrets[parameter.Name] = secret;
        return secret;
    }

    private CfnParameter PlainParameter(ParameterModel parameter)
    {
        if (_parameters.TryGetValue(parameter.Name, out var existing))
            return existing;
        var logicalId = string.Concat(parameter.Name.Split('-', '_', '.').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
        var created = new CfnParameter(scope, logicalId, new CfnParameterProps
        {
            Type = "String",
            Default = parameter.Default,
            Description = $"The AppHost's parameter '{parameter.Name}'.",
        });
        _parameters[parameter.Name] = created;
        return created;
    }

    private static ManifestException Unresolvable(ServiceModel service, string setting, ReferencePart reference, string why) =>
        new($"{service.Name}: setting {setting} refers to {reference}, which the deployment cannot provide: {why}.");
}

/// <summary>A service's settings as its task gets them, and what they made it depend on.</summary>
public sealed class ResolvedSettings
{
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, EcsSecret> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>The other services it calls (by their names), which must let it in.</summary>
    public HashSet<string> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>The cloud resources it reads outputs of, and so uses.</summary>
    public HashSet<ICloudResource> Uses { get; } = [];
}
