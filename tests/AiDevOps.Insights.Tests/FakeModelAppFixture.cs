using AiDevOps.Testing;

namespace AiDevOps.Insights.Tests;

/// <summary>
/// One fake model and one started Insights app that asks it, shared by a test class; subclasses say how the model
/// behaves.
/// </summary>
public abstract class FakeModelAppFixture : IAsyncLifetime
{
    public FakeOpenAiServer Model { get; private set; } = null!;
    public InsightsAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        ConfigureModel(Model);
        App = InsightsAppFactory.Start(new Dictionary<string, string?> { ["Insights:Model:Endpoint"] = Model.BaseUrl.ToString() });
        await OnStartedAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Model.DisposeAsync();
    }

    protected abstract void ConfigureModel(FakeOpenAiServer model);

    protected virtual Task OnStartedAsync() => Task.CompletedTask;
}
