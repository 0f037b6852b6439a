using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiDevOps.Contracts;
using AiDevOps.Insights.Incidents;
using AiDevOps.Insights.Summaries;
using AiDevOps.Testing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Insights.Tests;

public sealed class IncidentExplainerTests : IAsyncLifetime
{
    private const string Token = "tool-token-7f3a9c";
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new();
    // Shared, as HttpClients are meant to be; the tools never change its defaults.
    private static readonly HttpClient Http = new();
    private FakeOpenAiServer _model = null!;
    private FakeBrainApi _brain = null!;

    public async Task InitializeAsync()
    {
        _model = await FakeOpenAiServer.StartAsync();
        _brain = await FakeBrainApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        await _brain.DisposeAsync();
        await _metrics.DisposeAsync();
    }

    private IEnumerable<string> Logs => _logs.Values.SelectMany(lines => lines);

    [Fact]
    public async Task The_prompt_carries_the_evidence_and_a_grounded_answer_is_the_models()
    {
        const string answer = "CPU on db-1:9100 is at 0.97 against an expected 0.42 (band 0.3 to 0.6, score 5.1) since 10:15 UTC. "
            + "http_request_duration_seconds rose with it, from 0.12 to 0.85. Check the busiest processes.";
        _model.Reply = answer;
        var facts = IncidentTestFacts.CpuSaturation() with
        {
            Correlated = [new CorrelatedSeries("http_request_duration_seconds", IncidentTestFacts.Host(), 0.93, 0.12, 0.85)],
            OtherAnomalies = [new OtherAnomaly("node_disk_io_time_seconds_total", IncidentTestFacts.Host(), AnomalyKinds.Unusual, IncidentTestFacts.Since.AddMinutes(-4), "ewma: expected 0.2, got 0.9 (score 4.00)")],
        };

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(new InsightSummary(answer, SummarySources.Model), summary);
        var request = Assert.Single(_model.Requests);
        Assert.True(request.Json.GetProperty("temperature").GetDouble() <= 0.2);
        Assert.Empty(request.ToolNames);
        Assert.Contains("never invent", request.MessageContents[0], StringComparison.Ordinal);
        var prompt = request.MessageContents[1];
        Assert.Contains("node_cpu_busy_ratio{instance=\"db-1:9100\", job=\"node\"}: kind unusual_behaviour; detector zscore; since 10:15 UTC", prompt, StringComparison.Ordinal);
        Assert.Contains("10:15:03=0.97", prompt, StringComparison.Ordinal);
        Assert.Contains("expected 0.42; normal band 0.3 to 0.6; score 5.1", prompt, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds{instance=\"db-1:9100\", job=\"node\"}: correlation 0.93; mean before 0.12; mean since 0.85", prompt, StringComparison.Ordinal);
        Assert.Contains("node_disk_io_time_seconds_total{instance=\"db-1:9100\", job=\"node\"}: kind unusual_behaviour; since 10:11 UTC; evidence: ewma: expected 0.2, got 0.9 (score 4.00)", prompt, StringComparison.Ordinal);
        Assert.Contains("likely cause class (computed from the metric): CpuSaturation", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_calls_read_the_brain_with_the_incidents_token_and_their_results_reach_the_model()
    {
        _model.Script(
            ScriptedReply.Calls(
                new ScriptedToolCall("brain-get_series", """{"selector":"node_load1{instance=\"db-1:9100\"}","minutes":30}"""),
                new ScriptedToolCall("brain-get_host_anomalies")),
            ScriptedReply.Calls(new ScriptedToolCall("brain-find_similar_incidents")),
            new ScriptedReply("CPU on db-1:9100 is at 0.97 since 10:15 UTC; node_load1 reached 7.25 at 09:50 UTC. A similar incident on 2026-11-20 lasted 40 minutes."));
        var facts = IncidentTestFacts.CpuSaturation() with { Tools = Tools() };

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(SummarySources.Model, summary.Source);
        Assert.Contains("7.25", summary.Summary, StringComparison.Ordinal);
        Assert.Equal(3, _brain.Requests.Count);
        Assert.All(_brain.Requests, request =>
        {
            Assert.Equal("GET", request.Method);
            Assert.Equal("Bearer " + Token, request.Authorization);
        });
        var series = Assert.Single(_brain.Requests, r => r.PathAndQuery.StartsWith("/api/v1/query_range?", StringComparison.Ordinal));
        Assert.Contains("query=node_load1%7Binstance%3D%22db-1%3A9100%22%7D", series.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("&step=", series.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(_brain.Requests, r => r.PathAndQuery.StartsWith("/api/anomalies?state=all&limit=", StringComparison.Ordinal));
        Assert.Contains(_brain.Requests, r => r.PathAndQuery.StartsWith("/api/incidents?state=resolved&limit=", StringComparison.Ordinal));

        Assert.Equal(3, _model.Requests.Count);
        Assert.Contains("brain-get_series", _model.Requests[0].ToolNames);
        var results = _model.Requests[2].ToolResults;
        Assert.Contains(results, r => r.Contains("node_load1{instance=\"db-1:9100\", job=\"node\"} (2026-11-24 UTC): 09:49:00=6.5, 09:50:00=7.25", StringComparison.Ordinal));
        // The host's anomalies only: web-9's is filtered out client-side.
        Assert.Contains(results, r => r.Contains("node_disk_io_time_seconds_total", StringComparison.Ordinal) && !r.Contains("web-9", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Contains("node_cpu_busy_ratio on db-1:9100", StringComparison.Ordinal) && r.Contains("lasted 40 minutes", StringComparison.Ordinal));
        Assert.DoesNotContain(Logs, line => line.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_more_than_four_tool_calls_reach_the_brain()
    {
        var call = new ScriptedToolCall("brain-get_host_anomalies");
        _model.Script(
            ScriptedReply.Calls(call, call), ScriptedReply.Calls(call, call), ScriptedReply.Calls(call, call),
            new ScriptedReply("CPU on db-1:9100 is at 0.97 since 10:15 UTC."));

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(IncidentTestFacts.CpuSaturation() with { Tools = Tools() }, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(SummarySources.Model, summary.Source);
        Assert.Equal(BrainTools.MaxCalls, _brain.Requests.Count);
        Assert.Contains(_model.Requests[^1].ToolResults, r => r.StartsWith("No more tool calls", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expired_tools_are_not_offered()
    {
        _model.Reply = "CPU on db-1:9100 is at 0.97 since 10:15 UTC.";
        var facts = IncidentTestFacts.CpuSaturation() with { Tools = Tools() with { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1) } };

        using var explainer = Explainer();
        await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Empty(Assert.Single(_model.Requests).ToolNames);
        Assert.Empty(_brain.Requests);
    }

    [Theory]
    [InlineData("CPU on db-1:9100 is at 0.99 since 10:15 UTC.", "0.99")]
    [InlineData("CPU on db-7:9100 is at 0.97 since 10:15 UTC.", "db-7:9100")]
    [InlineData("CPU on db-1:9100 is at 0.97 since 08:02 UTC.", "08:02")]
    public async Task An_answer_with_an_invented_number_host_or_time_is_rejected_and_counted(string answer, string offending)
    {
        _model.Reply = answer;
        long ungrounded = 0;
        using var listener = Listen(IncidentTelemetry.UngroundedCounter, value => Interlocked.Add(ref ungrounded, value));
        var facts = IncidentTestFacts.CpuSaturation();

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(IncidentExplainer.Deterministic(facts), summary);
        Assert.Equal(1, Interlocked.Read(ref ungrounded));
        var warning = Assert.Single(Logs, line => line.Contains("evidence does not hold", StringComparison.Ordinal));
        Assert.Contains(offending, warning, StringComparison.Ordinal);
        Assert.DoesNotContain("never invent", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_model_falls_back_to_the_deterministic_summary_within_the_budget()
    {
        _model.Delay = TimeSpan.FromSeconds(60);
        var facts = IncidentTestFacts.DiskFilling() with { BudgetMilliseconds = 800 };

        using var explainer = Explainer();
        var clock = Stopwatch.StartNew();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        // Not a timing measurement: an answer long before the model's would be proves the budget, not the model, ended
        // the wait (a loaded machine may take a while past the 800 ms; the model takes a minute).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"answered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(IncidentExplainer.Deterministic(facts), summary);
    }

    [Fact]
    public async Task A_long_answer_is_cut_after_its_last_whole_sentence_that_fits()
    {
        const string first = "CPU on db-1:9100 is at 0.97 against an expected 0.42 since 10:15 UTC.";
        const string second = "The zscore detector scored 5.1.";
        _model.Reply = $"{first} {second} " + string.Concat(Enumerable.Repeat("Check the busiest processes on db-1:9100 with top. ", 5));
        var facts = IncidentTestFacts.CpuSaturation() with { MaxCharacters = first.Length + second.Length + 20 };

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(new InsightSummary($"{first} {second}", SummarySources.Model), summary);
    }

    [Fact]
    public async Task An_answer_whose_first_sentence_does_not_fit_is_replaced()
    {
        _model.Reply = "CPU on db-1:9100 is at 0.97 against an expected 0.42 and a band of 0.3 to 0.6 since 10:15 UTC, scored 5.1 by zscore, which is far outside anything normal for it.";
        var facts = IncidentTestFacts.CpuSaturation() with { MaxCharacters = 100 };

        using var explainer = Explainer();
        var summary = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(SummarySources.Deterministic, summary.Source);
        Assert.InRange(summary.Summary.Length, 1, 100);
        Assert.EndsWith(".", summary.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_answers_are_cached_per_incident_state()
    {
        _model.Reply = "CPU on db-1:9100 is at 0.97 since 10:15 UTC.";
        var facts = IncidentTestFacts.CpuSaturation();

        using var explainer = Explainer();
        var first = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);
        var again = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);
        await explainer.ExplainAsync(facts with { Version = 2 }, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(first, again);
        Assert.Equal(2, _model.Requests.Count);
    }

    [Fact]
    public async Task Model_calls_over_the_rate_limit_get_the_deterministic_summary()
    {
        _model.Reply = "CPU on db-1:9100 is at 0.97 since 10:15 UTC.";
        var facts = IncidentTestFacts.CpuSaturation();

        using var explainer = Explainer(new ModelOptions { Endpoint = _model.BaseUrl.ToString(), MaxCallsPerMinute = 1 });
        var first = await explainer.ExplainAsync(facts, CancellationToken.None).WaitAsync(TestTimeout);
        var second = await explainer.ExplainAsync(facts with { IncidentId = "inc-2" }, CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(SummarySources.Model, first.Source);
        Assert.Equal(SummarySources.Deterministic, second.Source);
        Assert.Single(_model.Requests);
    }

    [Fact]
    public async Task Azure_openai_is_asked_through_its_deployment_with_the_key_header()
    {
        _model.Reply = "CPU on db-1:9100 is at 0.97 since 10:15 UTC.";
        var options = new ModelOptions
        {
            Provider = ModelProvider.AzureOpenAI,
            Endpoint = _model.RootUrl.ToString(),
            ModelId = "explainer",
            ApiKey = "azure-key-123",
        };

        using var explainer = Explainer(options);
        var summary = await explainer.ExplainAsync(IncidentTestFacts.CpuSaturation(), CancellationToken.None).WaitAsync(TestTimeout);

        Assert.Equal(SummarySources.Model, summary.Source);
        var request = Assert.Single(_model.Requests);
        Assert.Equal("/openai/deployments/explainer/chat/completions", request.Path);
        Assert.Equal("azure-key-123", request.ApiKey);
    }

    [Fact]
    public async Task Without_a_model_the_explanation_is_deterministic()
    {
        var options = new ModelOptions();
        using var explainer = new IncidentExplainer(null, options, Http, new MemoryCache(new MemoryCacheOptions()),
            new IncidentTelemetry(_metrics.GetRequiredService<IMeterFactory>()), TimeProvider.System, Logger());

        var summary = await explainer.ExplainAsync(IncidentTestFacts.TargetDown(), CancellationToken.None);

        Assert.Equal(IncidentExplainer.Deterministic(IncidentTestFacts.TargetDown()), summary);
    }

    private InsightTools Tools() => new(_brain.BaseUrl.ToString(), Token, DateTimeOffset.UtcNow.AddMinutes(1));

    private IncidentExplainer Explainer(ModelOptions? options = null)
    {
        options ??= new ModelOptions { Endpoint = _model.BaseUrl.ToString() };
        return new IncidentExplainer(ModelKernel.Create(options), options, Http, new MemoryCache(new MemoryCacheOptions()),
            new IncidentTelemetry(_metrics.GetRequiredService<IMeterFactory>()), TimeProvider.System, Logger());
    }

    private ILogger<IncidentExplainer> Logger() =>
        LoggerFactory.Create(logging => logging.AddProvider(new CollectingLoggerProvider(_logs))).CreateLogger<IncidentExplainer>();

    // Only this test's meter factory: other tests running at the same time count on their own.
    private MeterListener Listen(string instrumentName, Action<long> record)
    {
        var factory = _metrics.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => record(value));
        listener.Start();
        return listener;
    }
}
