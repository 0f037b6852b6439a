using AiDevOps.Agent.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapRemoteWriteReceiverApi();

app.Run();

/// <summary>Entry point, visible to the functional tests' host factory.</summary>
public partial class Program;
