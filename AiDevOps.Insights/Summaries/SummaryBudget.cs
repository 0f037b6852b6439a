namespace AiDevOps.Insights.Summaries;

/// <summary>
/// Splits the time a caller will wait for a summary (<see cref="Contracts.AnomalyFacts.BudgetMilliseconds"/>) between
/// the model and what has to happen after the model gives up.
/// </summary>
public static class SummaryBudget
{
    /// <summary>
    /// Any budget is taken: one shorter than the reserve leaves no time for the model, and the deterministic summary,
    /// which takes microseconds, is still the best answer a caller with little time left can get.
    /// </summary>
    public const int MinMilliseconds = 1;

    /// <summary>Two minutes: longer than any alert path should wait, so a larger value is a unit mistake.</summary>
    public const int MaxMilliseconds = 120_000;

    // The budget is the caller's clock, started before its request left and stopped when the answer arrives, while
    // Insights only sees the part between binding the body and writing the answer. The reserve pays for the rest: the
    // request and answer on the network, reading and binding the body, unwinding the cancelled model call, the
    // deterministic summary itself (microseconds) and a scheduling hiccup on a busy host. 100 ms covers that on a
    // local network; a share of 20 % keeps the margin in proportion for long budgets, where the hiccups (GC, a
    // saturated thread pool) grow with the work in flight.
    private static readonly TimeSpan MinReserve = TimeSpan.FromMilliseconds(100);
    private const double ReserveShare = 0.2;

    /// <summary>
    /// How long the model may take: the configured timeout, shortened to the caller's budget less the reserve.
    /// <see cref="TimeSpan.Zero"/> means there is no time to ask the model at all.
    /// </summary>
    public static TimeSpan ModelTimeout(TimeSpan configured, int? budgetMilliseconds)
    {
        if (budgetMilliseconds is not { } milliseconds)
            return configured;
        var budget = TimeSpan.FromMilliseconds(milliseconds);
        var reserve = TimeSpan.FromTicks(Math.Max(MinReserve.Ticks, (long)(budget.Ticks * ReserveShare)));
        var left = budget - reserve;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < configured ? left : configured;
    }
}
