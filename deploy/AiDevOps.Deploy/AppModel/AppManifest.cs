using System.Diagnostics;
using System.Text.Json;

namespace AiDevOps.Deploy.AppModel;

/// <summary>
/// The app as the AppHost describes it when published (<c>--publisher manifest</c>): its services with their settings,
/// the parameters those settings read, and the cloud resources they use. The deployment is made from this, so a
/// setting added to a service in the AppHost reaches its task definition with no second list to keep.
/// </summary>
public sealed record AppManifest(
    IReadOnlyList<ServiceModel> Services,
    IReadOnlyDictionary<string, ParameterModel> Parameters,
    IReadOnlyDictionary<string, CloudResourceModel> CloudResources)
{
    private const string ProjectType = "project.v0";
    private const string ParameterType = "parameter.v0";
    private const string CloudTypePrefix = "aidevops.";

    public static AppManifest Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Object)
            throw new ManifestException("The manifest has no \"resources\" object; is it an Aspire publish manifest?");

        var services = new List<ServiceModel>();
        var parameters = new Dictionary<string, ParameterModel>(StringComparer.Ordinal);
        var cloud = new Dictionary<string, CloudResourceModel>(StringComparer.Ordinal);
        foreach (var resource in resources.EnumerateObject())
        {
            var type = resource.Value.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            switch (type)
            {
                case ProjectType:
                    services.Add(new ServiceModel(resource.Name, Strings(resource.Value, "env"), Bindings(resource.Value)));
                    break;
                case ParameterType:
                    parameters.Add(resource.Name, Parameter(resource.Name, resource.Value));
                    break;
                case var _ when type.StartsWith(CloudTypePrefix, StringComparison.Ordinal):
                    cloud.Add(resource.Name, new CloudResourceModel(resource.Name, type,
                        resource.Value.EnumerateObject().Where(p => p.Name != "type" && p.Value.ValueKind == JsonValueKind.String)
                            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal)));
                    break;
                default:
                    throw new ManifestException($"Resource '{resource.Name}' has type '{type}', which this deployment does not know how to run.");
            }
        }
        return new AppManifest(services, parameters, cloud);
    }

    public static AppManifest Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>
    /// Runs the AppHost (a project folder, a .csproj or its built .dll) in publish mode, with any settings of its own
    /// (<c>--AiDevOps:Cloud</c>, <c>--Parameters:…</c>), and reads the manifest it writes.
    /// </summary>
    public static AppManifest Publish(string appHost, string outputFolder, params string[] appHostArgs)
    {
        // Absolute: `dotnet run` resolves a relative path from the AppHost's folder, not from here.
        var manifestPath = Path.GetFullPath(Path.Combine(outputFolder, "aspire-manifest.json"));
        Directory.CreateDirectory(Path.GetDirectoryName(manifestPath)!);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (appHost.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(appHost);
            // Its project folder, as `dotnet run` does: the AppHost reads its appsettings.json from there.
            start.WorkingDirectory = ProjectFolderOf(Path.GetFullPath(appHost));
        }
        else
        {
            foreach (var arg in new[] { "run", "--project", appHost, "--no-launch-profile", "--" })
                start.ArgumentList.Add(arg);
        }
        foreach (var arg in new[] { "--publisher", "manifest", "--output-path", manifestPath }.Concat(appHostArgs))
            start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new ManifestException("Could not start dotnet to publish the AppHost.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(manifestPath))
            throw new ManifestException($"Publishing the AppHost ({appHost}) failed with exit code {process.ExitCode}:\n{output}\n{errors.Result}");
        return Load(manifestPath);
    }

    private static string ProjectFolderOf(string assembly)
    {
        for (var folder = Path.GetDirectoryName(assembly); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.EnumerateFiles(folder, "*.csproj").Any())
                return folder;
        }
        return Path.GetDirectoryName(assembly)!;
    }

    private static Dictionary<string, string> Strings(JsonElement resource, string property) =>
        resource.TryGetProperty(property, out var values) && values.ValueKind == JsonValueKind.Object
            ? values.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : [];

    private static List<BindingModel> Bindings(JsonElement resource) =>
        resource.TryGetProperty("bindings", out var bindings) && bindings.ValueKind == JsonValueKind.Object
            ? bindings.EnumerateObject().Select(b => new BindingModel(b.Name,
                b.Value.TryGetProperty("scheme", out var scheme) ? scheme.GetString() ?? "" : "",
                b.Value.TryGetProperty("external", out var external) && external.ValueKind == JsonValueKind.True)).ToList()
            : [];

    private static ParameterModel Parameter(string name, JsonElement resource)
    {
        var input = resource.TryGetProperty("inputs", out var inputs) && inputs.TryGetProperty("value", out var value) ? value : default;
        if (input.ValueKind != JsonValueKind.Object)
            return new ParameterModel(name, Secret: false, Default: null, GeneratedLength: null);
        var secret = input.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.True;
        string? defaultValue = null;
        int? generatedLength = null;
        if (input.TryGetProperty("default", out var @default))
        {
            if (@default.TryGetProperty("value", out var v))
                defaultValue = v.GetString();
            if (@default.TryGetProperty("generate", out var generate))
                generatedLength = generate.TryGetProperty("minLength", out var length) ? length.GetInt32() : 22;
        }
        return new ParameterModel(name, secret, defaultValue, generatedLength);
    }
}

/// <summary>A service of the app (an Aspire project): its settings as environment variables, values or expressions.</summary>
public sealed record ServiceModel(string Name, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<BindingModel> Bindings)
{
    /// <summary>Served to the internet (Aspire's <c>WithExternalHttpEndpoints</c>): behind the public load balancer.</summary>
    public bool IsExternal => Bindings.Any(b => b.External);
}

/// <summary>An endpoint of a service: its name (<c>http</c>), scheme and whether it is served outside the app.</summary>
public sealed record BindingModel(string Name, string Scheme, bool External);

/// <summary>A value given at deployment: a secret (kept in the cloud's secret store) or a plain setting, with its default.</summary>
public sealed record ParameterModel(string Name, bool Secret, string? Default, int? GeneratedLength);

/// <summary>A resource the cloud provides (tables, bucket, key), of a type the AppHost names; its properties as written.</summary>
public sealed record CloudResourceModel(string Name, string Type, IReadOnlyDictionary<string, string> Properties);

public sealed class ManifestException(string message) : Exception(message);
