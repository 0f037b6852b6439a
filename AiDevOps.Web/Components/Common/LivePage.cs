using Microsoft.AspNetCore.Components;

namespace AiDevOps.Web.Components.Common;

/// <summary>
/// A page that keeps itself current: it loads once, then again every <see cref="Every"/> while it is open in a
/// browser, without a reload. A failed load keeps what was shown and says why.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _closing = new();

    protected virtual TimeSpan Every => TimeSpan.FromSeconds(5);

    protected string? Problem { get; private set; }

    protected DateTimeOffset? LoadedAt { get; private set; }

    protected CancellationToken Closing => _closing.Token;

    protected abstract Task LoadAsync(CancellationToken ct);

    protected override async Task OnInitializedAsync()
    {
        await ReloadAsync();
        _ = RefreshAsync();
    }

    /// <summary>Loads now (after an action, say), reporting a failure on the page.</summary>
    protected async Task ReloadAsync()
    {
        try
        {
            await LoadAsync(_closing.Token);
            Problem = null;
            LoadedAt = DateTimeOffset.UtcNow;
        }
        catch (Exception e) when (e is HttpRequestException or Brain.BrainException or TaskCanceledException && !_closing.IsCancellationRequested)
        {
            Problem = e is Brain.BrainException problem ? problem.Message : "The Brain cannot be reached; showing what was last loaded.";
        }
    }

    private async Task RefreshAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token))
            {
                await InvokeAsync(async () =>
                {
                    await ReloadAsync();
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
        GC.SuppressFinalize(this);
    }
}
