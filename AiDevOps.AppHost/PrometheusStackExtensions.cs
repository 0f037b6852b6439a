using System.Globalization;

namespace Aspire.Hosting;

public static class PrometheusStackExtensions
{
    /// <summary>
    /// Adds node_exporter and a Prometheus that scrapes it, as executables, when both are installed (found on PATH;
    /// Debian: apt-get install prometheus prometheus-node-exporter). Returns null otherwise, and the caller falls
    /// back to scraping the platform's own services.
    /// </summary>
    public static IResourceBuilder<ExecutableResource>? AddPrometheusStack(this IDistributedApplicationBuilder builder, TimeSpan scrapeInterval)
    {
        var prometheusBinary = FindOnPath("prometheus");
        var nodeExporterBinary = FindOnPath("prometheus-node-exporter") ?? FindOnPath("node_exporter");
        if (prometheusBinary is null || nodeExporterBinary is null)
            return null;

        var stateFolder = builder.Configuration.LocalPath("AiDevOps:Prometheus:DataPath", builder.AppHostDirectory);
        Directory.CreateDirectory(stateFolder);

        var nodeExporter = builder.AddExecutable("node-exporter", nodeExporterBinary, stateFolder)
            .WithHttpEndpoint(name: "http")
            .WithArgs(context => context.Args.Add(ListenAddress(context.Resource)))
            .WithHttpHealthCheck("/metrics");

        var configFile = Path.Combine(stateFolder, "prometheus.yml");
        var prometheus = builder.AddExecutable("prometheus", prometheusBinary, stateFolder)
            .WithHttpEndpoint(name: "http")
            .WithArgs(context =>
            {
                context.Args.Add("--config.file=" + configFile);
                context.Args.Add("--storage.tsdb.path=" + Path.Combine(stateFolder, "data"));
                context.Args.Add("--storage.tsdb.retention.time=2d");
                context.Args.Add(ListenAddress(context.Resource));
                // Without it Prometheus takes minutes to exit when a remote_write target is gone.
                context.Args.Add("--storage.remote.flush-deadline=5s");
            })
            .WithHttpHealthCheck("/-/ready")
            .WaitFor(nodeExporter)
            .OnBeforeResourceStarted((_, _, _) =>
            {
                // Ports are only known once allocated, so the scrape config is written just before Prometheus starts.
                // The local TSDB starts empty: the Brain keeps history, and an old run's series (another port) would
                // otherwise still answer queries for five minutes and raise false alerts.
                var tsdb = Path.Combine(stateFolder, "data");
                if (Directory.Exists(tsdb))
                    Directory.Delete(tsdb, recursive: true);
                var target = nodeExporter.GetEndpoint("http");
                File.WriteAllText(configFile, ScrapeConfig(scrapeInterval, $"{target.Host}:{target.Port}", PlatformExtensions.LocalInstance));
                return Task.CompletedTask;
            });
        return prometheus;
    }

    /// <summary>Both tools take the same flag; the port is the one Aspire allocated behind its proxy.</summary>
    private static ReferenceExpression ListenAddress(IResource resource) => ReferenceExpression.Create(
        $"--web.listen-address=127.0.0.1:{((IResourceWithEndpoints)resource).GetEndpoint("http").Property(EndpointProperty.TargetPort)}");

    /// <summary>
    /// node_exporter's port is allocated afresh at each start, so its <c>instance</c> is relabelled to the machine's
    /// host name: otherwise every start would make new series, and the Brain's history and detector models would
    /// not carry over.
    /// </summary>
    private static string ScrapeConfig(TimeSpan interval, string nodeExporterAddress, string instance)
    {
        var seconds = Math.Max(1, (int)interval.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        return $"""
            # Written by the AiDevOps AppHost at each start.
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
              evaluation_interval: {seconds}
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['{nodeExporterAddress}']
                relabel_configs:
                  - target_label: instance
                    replacement: {YamlQuoted(instance.Replace("$", "$$", StringComparison.Ordinal))}
            """;
    }

    /// <summary>A YAML single-quoted scalar: nothing is special inside but the quote, written twice.</summary>
    private static string YamlQuoted(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
