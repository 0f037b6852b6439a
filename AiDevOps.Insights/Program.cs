using AiDevOps.Insights.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.RequireKey("/api", InsightsApiKey.Setting, "Insights needs its key.", "Call with 'Authorization: Bearer <key>'.");
app.MapSummariesApi();
app.MapIncidentSummariesApi();

app.Run();
