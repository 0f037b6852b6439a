using AiDevOps.Agent.Apis;
using AiDevOps.Contracts;

var builder = WebApplication.CreateSlimBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestBodyChecks();
app.MapDefaultEndpoints();
app.MapRemoteWriteReceiverApi();

app.Run();

/// <summary>Entry point, visible to the functional tests' host factory.</summary>
public partial class Program;
