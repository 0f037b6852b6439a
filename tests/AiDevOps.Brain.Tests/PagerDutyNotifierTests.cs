using System.ComponentModel.DataAnnotations;
using AiDevOps.Brain.Alerting;
using AiDevOps.Brain.Alerting.Notifiers.PagerDuty;
using AiDevOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static AiDevOps.Brain.Tests.TestNotifications;

namespace AiDevOps.Brain.Tests;

public sealed class PagerDutyNotifierTests : IAsyncLifetime
{
    private const string RoutingKey = "R0UT1NGK3YOFTH3T3STS3RV1C3000042";
    private static readonly Receiver Receiver = new("pagerduty", "database on-call", RoutingKey);
    private FakePagerDutyEvents _pagerDuty = null!;

    public async Task InitializeAsync() => _pagerDuty = await FakePagerDutyEvents.StartAsync();

    public async Task DisposeAsync() => await _pagerDuty.DisposeAsync();

    private static PagerDutyNotifier NotifierFor(Uri baseUrl) => new(Clients, Options.Create(new PagerDutyOptions { ApiBaseUrl = baseUrl.ToString() }));

    [Fact]
    public async Task A_firing_anomaly_triggers_an_incident_keyed_by_our_incident()
    {
        var anomaly = TargetDown();

        var result = await NotifierFor(_pagerDuty.BaseUrl).NotifyAsync(Receiver, Firing(anomaly), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var sent = Assert.Single(_pagerDuty.Requests.All);
        Assert.Equal((202, "/v2/enqueue"), (sent.AnsweredStatus, sent.Path));
        var e = sent.Json;
        Assert.Equal((RoutingKey, "trigger", TestNotifications.IncidentOf(anomaly).Id), (e.GetProperty("routing_key").GetString(), e.GetProperty("event_action").GetString(), e.GetProperty("dedup_key").GetString()));
        var payload = e.GetProperty("payload");
        Assert.Equal("Target down: up{instance=\"db-1:9100\",job=\"node\"}", payload.GetProperty("summary").GetString());
        Assert.Equal(("db-1:9100", "critical", "2026-11-28T10:00:00.0000000Z"),
            (payload.GetProperty("source").GetString(), payload.GetProperty("severity").GetString(), payload.GetProperty("timestamp").GetString()));
        Assert.Equal(("target_down", "node", "up"), (payload.GetProperty("class").GetString(), payload.GetProperty("group").GetString(), payload.GetProperty("component").GetString()));
        var details = payload.GetProperty("custom_details");
        Assert.Equal("node", details.GetProperty("labels").GetProperty("job").GetString());
        Assert.Equal(anomaly.Evidence, details.GetProperty("evidence").GetString());
        Assert.Equal(anomaly.Summary, details.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task A_resolve_closes_the_same_incident()
    {
        var anomaly = TargetDown();

        var result = await NotifierFor(_pagerDuty.BaseUrl).NotifyAsync(Receiver, Resolved(anomaly, TimeSpan.FromMinutes(3)), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var e = Assert.Single(_pagerDuty.Requests.All).Json;
        Assert.Equal(("resolve", TestNotifications.IncidentOf(anomaly).Id), (e.GetProperty("event_action").GetString(), e.GetProperty("dedup_key").GetString()));
        Assert.False(e.TryGetProperty("payload", out _));
    }

    [Theory]
    [InlineData(AnomalyKinds.TargetDown, null, "critical")]
    [InlineData(AnomalyKinds.AgentSilent, null, "critical")]
    [InlineData(AnomalyKinds.PrometheusAlert, "page", "critical")]
    [InlineData(AnomalyKinds.PrometheusAlert, "Critical", "critical")]
    [InlineData(AnomalyKinds.PrometheusAlert, "warning", "warning")]
    [InlineData(AnomalyKinds.PrometheusAlert, null, "warning")]
    [InlineData(AnomalyKinds.Unusual, "page", "warning")]
    [InlineData(AnomalyKinds.PredictedExhaustion, null, "critical")]
    public void Severity_is_critical_for_what_pages_a_target_or_agent_gone_a_resource_running_out_or_a_rule_saying_page_or_critical(string kind, string? severity, string expected)
    {
        var anomaly = (severity is null ? PrometheusAlert(("alertname", "X")) : PrometheusAlert(("alertname", "X"), ("severity", severity))) with { Kind = kind };

        Assert.Equal(expected, PagerDutyEvent.Of(RoutingKey, Firing(anomaly)).Payload!.Severity);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(400, false)]
    public async Task Throttling_and_server_errors_are_retried_and_an_invalid_event_is_final(int status, bool retryable)
    {
        _pagerDuty.Requests.RefuseNext(status);

        var result = await NotifierFor(_pagerDuty.BaseUrl).NotifyAsync(Receiver, Firing(TargetDown()), CancellationToken.None);

        Assert.Equal((false, retryable), (result.Delivered, result.Retryable));
        Assert.StartsWith($"PagerDuty answered {status} ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_that_echoes_the_event_does_not_repeat_the_routing_key()
    {
        await using var echo = await LoopbackApp.StartAsync(app => app.MapPost("/v2/enqueue", async (HttpRequest request) =>
            Results.Text(await new StreamReader(request.Body).ReadToEndAsync(), "application/json", statusCode: 400)));

        var result = await NotifierFor(echo.Address).NotifyAsync(Receiver, Firing(TargetDown()), CancellationToken.None);

        Assert.False(result.Retryable);
        Assert.Contains("\"routing_key\":\"***\"", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_needs_an_integration_key_and_the_error_does_not_repeat_a_wrong_one()
    {
        var notifier = NotifierFor(_pagerDuty.BaseUrl);
        Assert.Empty(notifier.Validate("database on-call", RoutingKey));
        Assert.Contains("integration key", Assert.Single(notifier.Validate("database on-call", null)["secret"]), StringComparison.Ordinal);
        Assert.DoesNotContain("short-key", Assert.Single(notifier.Validate("database on-call", "short-key")["secret"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_base_url_must_be_an_http_url()
    {
        var options = new PagerDutyOptions { ApiBaseUrl = "events.pagerduty.com" };
        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, true));
        Assert.Equal("PagerDuty:ApiBaseUrl 'events.pagerduty.com' must be an absolute http or https URL.", Assert.Single(results).ErrorMessage);
    }
}
