using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace AiDevOps.Brain.Alerting.Notifiers.Telegram;

/// <summary>
/// Telegram's flood limits, kept before a call instead of learnt from a 429: per bot, about 30 messages a second over
/// all chats; per chat, 20 a minute into a group, supergroup or channel (a negative id or an @name) and about one a
/// second into a private chat. Sends and edits both count. A call waits for its turn (the queue is first come, first
/// served) rather than failing, so a wait is never a retry. Sliding windows, so no window of the limit's length ever
/// holds more than the limit.
/// </summary>
public sealed class TelegramRateLimits(TelegramOptions options) : IDisposable
{
    // Each receiver's queue sends one call at a time, so a limiter's queue holds at most one call a receiver.
    private const int QueueLimit = 100_000;
    private const int Segments = 10;

    private readonly ConcurrentDictionary<string, SlidingWindowRateLimiter> _bots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Token, string Chat), SlidingWindowRateLimiter> _chats = new();

    /// <summary>Waits until <paramref name="token"/>'s bot may send one more message to <paramref name="chat"/>.</summary>
    public async Task WaitTurnAsync(string token, string chat, CancellationToken ct)
    {
        // The chat first: a call waiting for a slow group does not hold a slot of the bot's overall limit.
        await AcquireAsync(_chats.GetOrAdd((token, chat), key => IsGroup(key.Chat)
            ? Limiter(options.GroupMessagesPerMinute, TimeSpan.FromMinutes(1))
            : Limiter(options.PrivateMessagesPerSecond, TimeSpan.FromSeconds(1))), ct);
        await AcquireAsync(_bots.GetOrAdd(token, _ => Limiter(options.MessagesPerSecond, TimeSpan.FromSeconds(1))), ct);
    }

    /// <summary>Groups, supergroups and channels have negative ids; a chat addressed by @name is a public channel or group.</summary>
    public static bool IsGroup(string chat) => chat.StartsWith('-') || chat.StartsWith('@');

    private static async Task AcquireAsync(RateLimiter limiter, CancellationToken ct)
    {
        using var lease = await limiter.AcquireAsync(1, ct);
        if (!lease.IsAcquired)
            throw new InvalidOperationException("More Telegram calls are waiting for their turn than the rate limiter queues.");
    }

    private static SlidingWindowRateLimiter Limiter(int permits, TimeSpan window) => new(new SlidingWindowRateLimiterOptions
    {
        PermitLimit = permits,
        Window = window,
        SegmentsPerWindow = Segments,
        QueueLimit = QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });

    public void Dispose()
    {
        foreach (var limiter in _bots.Values.Concat<RateLimiter>(_chats.Values))
            limiter.Dispose();
    }
}
