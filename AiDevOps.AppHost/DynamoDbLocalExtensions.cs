using System.Diagnostics;

namespace Aspire.Hosting;

/// <summary>A local DynamoDB; its connection string is the endpoint URL the Brain's SDK client talks to.</summary>
public interface IDynamoDbLocalResource : IResourceWithConnectionString
{
    EndpointReference Endpoint { get; }

    ReferenceExpression IResourceWithConnectionString.ConnectionStringExpression =>
        ReferenceExpression.Create($"{Endpoint.Property(EndpointProperty.Url)}");
}

public sealed class DynaliteResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IDynamoDbLocalResource
{
    public EndpointReference Endpoint => new(this, "http");
}

public sealed class DynamoDbLocalContainerResource(string name) : ContainerResource(name), IDynamoDbLocalResource
{
    public EndpointReference Endpoint => new(this, "http");
}

public static class DynamoDbLocalExtensions
{
    private const string DynaliteVersion = "4.0.0";
    private const string ContainerImage = "amazon/dynamodb-local";
    private const string ContainerTag = "2.6.1";

    /// <summary>
    /// Adds a local DynamoDB: Amazon's dynamodb-local container when a container runtime answers, otherwise dynalite
    /// from npm, installed on first run into the git-ignored .aidevops folder. Data survive restarts in
    /// <c>AiDevOps:DynamoDb:DataPath</c>; an empty path keeps them in memory (tests).
    /// </summary>
    public static IResourceBuilder<IDynamoDbLocalResource> AddDynamoDbLocal(this IDistributedApplicationBuilder builder, string name)
    {
        var dataPath = builder.Configuration["AiDevOps:DynamoDb:DataPath"];
        var dataFolder = string.IsNullOrWhiteSpace(dataPath) ? null : Path.GetFullPath(dataPath, builder.AppHostDirectory);

        if (ContainerRuntime.Answers())
        {
            var container = builder.AddResource(new DynamoDbLocalContainerResource(name))
                .WithImage(ContainerImage, ContainerTag)
                .WithHttpEndpoint(targetPort: 8000, name: "http")
                .WithHttpHealthCheck("/", statusCode: 400);
            if (dataFolder is null)
                container.WithArgs("-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb");
            else
                container.WithBindMount(dataFolder, "/data").WithArgs("-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/data");
            return container;
        }

        var toolFolder = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".aidevops", "tools", "dynalite-" + DynaliteVersion));
        var dynaliteBin = Path.Combine(toolFolder, "node_modules", ".bin", "dynalite");
        var dynalite = builder.AddResource(new DynaliteResource(name, dynaliteBin, toolFolder))
            .WithHttpEndpoint(name: "http")
            .WithArgs(context =>
            {
                var endpoint = ((DynaliteResource)context.Resource).Endpoint;
                context.Args.Add("--host");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
                // Tables are ACTIVE at once, as the Brain creates them on start.
                context.Args.Add("--createTableMs");
                context.Args.Add("0");
                if (dataFolder is not null)
                {
                    Directory.CreateDirectory(dataFolder);
                    context.Args.Add("--path");
                    context.Args.Add(dataFolder);
                }
            })
            .WithHttpHealthCheck("/");

        if (!File.Exists(dynaliteBin))
        {
            // Installed beside the tool folder and renamed into place, so a present folder is always complete, even
            // when the tests install the same copy at the same time; a folder left half-installed is replaced.
            var toolsFolder = Path.GetDirectoryName(toolFolder)!;
            Directory.CreateDirectory(toolsFolder);
            // Portable sh (no GNU-only mv -T): a tool folder that still lacks the binary is a leftover and moves aside.
            const string script = """
                [ -x "$4" ] && exit 0
                rm -rf "$1"
                npm install --prefix "$1" --no-audit --no-fund --loglevel error "$3" || exit 1
                if [ ! -x "$4" ]; then
                  [ -e "$2" ] && mv "$2" "$2.stale-$$" && rm -rf "$2.stale-$$"
                  mv "$1" "$2" 2>/dev/null
                fi
                rm -rf "$1"
                [ -x "$4" ]
                """;
            var install = builder.AddExecutable(name + "-install", "sh", toolsFolder,
                "-c", script, "install-dynalite",
                $"{toolFolder}.installing-{Environment.ProcessId}", toolFolder, $"dynalite@{DynaliteVersion}", dynaliteBin);
            dynalite.WaitForCompletion(install);
        }
        return dynalite;
    }
}

/// <summary>
/// Whether the container engine Aspire would use (ASPIRE_CONTAINER_RUNTIME, else docker) answers on this machine;
/// a client without an engine is not enough.
/// </summary>
internal static class ContainerRuntime
{
    public static bool Answers()
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } configured ? configured : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
                return false;
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // Not installed.
        }
    }
}
