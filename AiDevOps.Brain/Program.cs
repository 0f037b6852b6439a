using AiDevOps.Brain.Apis;
using AiDevOps.Contracts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
// After the status-code pages, so a 401 from the challenge gets a problem-details body too.
app.UseAuthentication();
app.UseAuthorization();
app.UseRequestBodyChecks();
app.MapDefaultEndpoints(metricsNeedKey: true);
app.MapIngestApi();
app.MapQueryApi();
app.MapAgentsApi();
app.MapNotificationsApi();
app.MapSilencesApi();
app.MapIncidentsApi();
app.MapAlertsApi();
app.MapAlertmanagerWebhookApi();
app.MapPrometheusApi();
app.MapAlertConfigApi();
app.MapAlertTemplatesApi();

app.Run();

/// <summary>Entry point, visible to the functional tests' host factory.</summary>
public partial class Program;
