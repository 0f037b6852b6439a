using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using AiDevOps.Testing;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiDevOps.EndToEnd.Tests;

/// <summary>
/// The whole platform as the AppHost wires it — Brain, Insights, Agent, the Web UI, dynalite, Prometheus and node_exporter —
/// with Telegram and the model replaced by loopback servers that speak their wire protocols. Started once per class.
/// </summary>
public sealed partial class PlatformFixture : IAsyncLifetime
{
    public const string AgentKey = "e2e-agent-key-0123456789abcdef0123456789";
    public const string BotToken = "4242:e2e-bot-secret-do-not-log";
    public const string ChatId = "777001";
    public const string ModelReply = "FAKE-MODEL: the target stopped answering its scrapes; restart the exporter and check its logs.";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _stateFolder = Path.Combine(Path.GetTempPath(), "aidevops-e2e-" + Guid.NewGuid().ToString("N"));

    public FakeTelegramBotApi Telegram { get; private set; } = null!;
    public FakeOpenAiServer Model { get; private set; } = null!;
    public DistributedApplication App { get; private set; } = null!;

    /// <summary>Every line logged, by logger category; a resource's output is under a category ending in its name.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> Logs { get; } = new();

    /// <summary>The last lines of the named resources' logs, for a failure message.</summary>
    public string Tail(params string[] resources) => string.Join("\n", Logs
        .Where(category => resources.Any(r => category.Key.EndsWith("." + r, StringComparison.Ordinal)))
        .Select(category => $"--- {category.Key} ---\n" + string.Join("\n", category.Value.TakeLast(60))))
        + "\ncategories: " + string.Join(", ", Logs.Keys);

    /// <summary>Lines a .NET resource logged at error or critical level (its console marks them "fail:" and "crit:").</summary>
    public IReadOnlyList<string> ErrorsOf(string resource) => Logs
        .Where(category => category.Key.EndsWith("." + resource, StringComparison.Ordinal))
        .SelectMany(category => category.Value)
        .Select(line => AnsiEscape().Replace(line, ""))
        .Where(line => line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
        .ToList();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    public async Task InitializeAsync()
    {
        Telegram = await FakeTelegramBotApi.StartAsync();
        Model = await FakeOpenAiServer.StartAsync();
        Model.Reply = ModelReply;

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AiDevOps_AppHost>(
        [
            "--AiDevOps:CollectInterval=00:00:02",
            "--AiDevOps:DynamoDb:DataPath=",
            "--AiDevOps:Prometheus:DataPath=" + Path.Combine(_stateFolder, "prometheus"),
            "--AiDevOps:Agent:QueuePath=" + Path.Combine(_stateFolder, "agent-queue"),
            "--AiDevOps:Brain:ModelPath=" + Path.Combine(_stateFolder, "models"),
            "--Parameters:agent-api-key=" + AgentKey,
            "--Parameters:telegram-bot-token=" + BotToken,
            "--Parameters:telegram-chat-id=" + ChatId,
            "--Parameters:telegram-api-url=" + Telegram.BaseUrl,
            "--Parameters:llm-endpoint=" + Model.BaseUrl,
            "--Parameters:llm-model=fake-model",
            "--Parameters:llm-api-key=sk-e2e-model-key",
        ]);
        // Nothing listens for OTLP here; exporting to it would only slow every shutdown down.
        foreach (var resource in builder.Resources.OfType<ProjectResource>())
            resource.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));

        builder.Services.AddLogging(logging => logging.AddProvider(new CollectingLoggerProvider(Logs)));
        App = await builder.BuildAsync().WaitAsync(StartTimeout);
        await App.StartAsync().WaitAsync(StartTimeout);
        foreach (var name in new[] { "dynamodb", "node-exporter", "prometheus", "insights", "brain", "agent", "web" })
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name).WaitAsync(StartTimeout);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
            await App.DisposeAsync();
        await Telegram.DisposeAsync();
        await Model.DisposeAsync();
        if (Directory.Exists(_stateFolder))
            Directory.Delete(_stateFolder, recursive: true);
    }
}
