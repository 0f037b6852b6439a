namespace AiDevOps.Testing;

/// <summary>
/// Waiting in a test for what a process does in its own time: the condition is asked again until it holds, or the
/// patience runs out and the test fails naming what it waited for.
/// </summary>
public static class Eventually
{
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan patience) =>
        HoldsAsync(() => Task.FromResult(condition()), what, patience);

    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited {patience} for {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>Asks until a value comes (not null), and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> find, TimeSpan patience, string what) where T : class
    {
        T? found = null;
        await HoldsAsync(async () => (found = await find()) is not null, what, patience);
        return found!;
    }
}
