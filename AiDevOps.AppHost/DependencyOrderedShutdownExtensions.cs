using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

public static class DependencyOrderedShutdownExtensions
{
    /// <summary>
    /// On Ctrl+C, stops the running resources in the reverse order of their dependencies (references and WaitFor):
    /// a resource stops only once everything that depends on it is down, so the Agent still reaches the Brain and
    /// the Brain still reaches its DynamoDB while they shut down. The AppHost, and with it <c>dotnet run</c>, returns
    /// only once every resource is down.
    /// </summary>
    /// <remarks>
    /// Aspire 13.6 has no ordered shutdown: its orchestrator (DCP) deletes all executables at once when the AppHost
    /// exits (its cleanup orders resource kinds, not resources), and the AppHost does not wait for it, so the prompt
    /// came back within a second while the services still ran for 10–13 s, long after the stand-ins and the dashboard
    /// (the target of their last telemetry) were gone. Each stop here is Aspire's Stop command, the dashboard's Stop
    /// button (SIGTERM, then SIGKILL after DCP's 6 s), awaited. It all happens within the host's shutdown timeout
    /// (30 s); what is still running then is left to DCP's cleanup, as before.
    /// </remarks>
    public static IDistributedApplicationBuilder StopInDependencyOrderOnShutdown(this IDistributedApplicationBuilder builder)
    {
        // What is left (the dashboard) goes with DCP's cleanup; the AppHost waits for it instead of leaving it behind.
        // The same setting the Aspire testing builder uses by default.
        builder.Configuration["DcpPublisher:WaitForResourceCleanup"] ??= "true";
        builder.Services.AddHostedService<DependencyOrderedShutdown>();
        return builder;
    }
}

/// <summary>Stops the model's running resources dependents first, one group at a time, when the host starts stopping.</summary>
internal sealed partial class DependencyOrderedShutdown(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    DistributedApplicationExecutionContext execution,
    ILoggerFactory loggers) : IHostedLifecycleService
{
    /// <summary>Beyond DCP's grace period (6 s before SIGKILL) and the stop command's own checks (about 15 s).</summary>
    private static readonly TimeSpan GroupTimeout = TimeSpan.FromSeconds(20);

    private readonly ILogger _logger = loggers.CreateLogger("AiDevOps.AppHost");

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        execution.IsRunMode ? StopAllAsync(cancellationToken) : Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StopAllAsync(CancellationToken cancellationToken)
    {
        var groups = StopOrder(model.Resources, resource => HasStopCommand(resource) && IsRunning(resource));
        if (groups.Count == 0)
            return;
        LogOrder(string.Join(" → ", groups.Select(group => string.Join(", ", group.Select(r => r.Name)))));
        var stopwatch = Stopwatch.StartNew();
        foreach (var group in groups)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GroupTimeout);
            try
            {
                await Task.WhenAll(group.Select(resource => StopAsync(resource, timeout.Token)));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogGroupTimedOut(string.Join(", ", group.Select(r => r.Name)), GroupTimeout.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
                return; // The host's shutdown timeout: DCP's cleanup stops the rest.
            }
        }
        LogStopped(stopwatch.Elapsed.TotalSeconds);
    }

    private async Task StopAsync(IResource resource, CancellationToken cancellationToken)
    {
        var result = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancellationToken);
        if (!result.Success)
        {
            LogStopFailed(resource.Name, result.Message);
            return;
        }
        // The command returns once DCP reports the process ended, or after its own retries gave up: wait for the end.
        await notifications.WaitForResourceAsync(resource.Name, KnownResourceStates.TerminalStates, cancellationToken);
    }

    /// <summary>By name, which finds a resource without replicas (all of ours); one with replicas is left to DCP's cleanup.</summary>
    private bool IsRunning(IResource resource) =>
        notifications.TryGetCurrentState(resource.Name, out var state) && state.Snapshot.State?.Text == KnownResourceStates.Running;

    /// <summary>
    /// The resources to stop, in groups: the first holds those nothing to stop depends on, each next one those whose
    /// dependents are all in earlier groups. Dependencies are references, WaitFor and parents, followed through the
    /// resources not to stop (parameters, connection strings, what is not running); a cycle is cut where it closes.
    /// </summary>
    internal static IReadOnlyList<IReadOnlyList<IResource>> StopOrder(IEnumerable<IResource> resources, Func<IResource, bool> toStop)
    {
        var all = resources.ToList();
        var dependents = all.ToDictionary(r => r, _ => new List<IResource>());
        foreach (var resource in all)
        {
            foreach (var dependency in DependenciesOf(resource))
            {
                if (dependents.TryGetValue(dependency, out var list) && dependency != resource && !list.Contains(resource))
                    list.Add(resource);
            }
        }

        // Depth of a resource: the most resources to stop on a chain of dependents above it.
        var depth = new Dictionary<IResource, int>();
        var visiting = new HashSet<IResource>();
        int DepthOf(IResource resource)
        {
            if (depth.TryGetValue(resource, out var known))
                return known;
            if (!visiting.Add(resource))
                return 0; // A cycle: the edge that closes it is ignored.
            var result = dependents[resource].Select(d => DepthOf(d) + (toStop(d) ? 1 : 0)).DefaultIfEmpty(0).Max();
            visiting.Remove(resource);
            depth[resource] = result;
            return result;
        }

        return all.Where(toStop)
            .GroupBy(DepthOf)
            .OrderBy(group => group.Key)
            .Select(group => (IReadOnlyList<IResource>)group.OrderBy(r => r.Name, StringComparer.Ordinal).ToList())
            .ToList();
    }

    private static IEnumerable<IResource> DependenciesOf(IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>().Select(a => a.Resource)
            .Concat(resource.Annotations.OfType<WaitAnnotation>().Select(a => a.Resource))
            .Concat(resource is IResourceWithParent child ? [child.Parent] : []);

    /// <summary>Processes and containers have Aspire's Stop command (from their start on); the dashboard has none.</summary>
    private static bool HasStopCommand(IResource resource) =>
        resource.Annotations.OfType<ResourceCommandAnnotation>().Any(c => c.Name == KnownResourceCommands.StopCommand);

    [LoggerMessage(LogLevel.Information, "Stopping in dependency order: {Order}")]
    private partial void LogOrder(string order);

    [LoggerMessage(LogLevel.Information, "All resources stopped in {Seconds:0.0} s")]
    private partial void LogStopped(double seconds);

    [LoggerMessage(LogLevel.Warning, "Stopping {Resource} failed: {Message}")]
    private partial void LogStopFailed(string resource, string? message);

    [LoggerMessage(LogLevel.Warning, "{Resources} did not stop within {Seconds} s; going on with the rest")]
    private partial void LogGroupTimedOut(string resources, double seconds);
}
