using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AiDevOps.Testing;

/// <summary>
/// Keeps every log line a host sees, by category, so tests can assert on logs and show them on failure. For the
/// AppHost that includes resource output: Aspire forwards each resource's console to a logger whose category ends
/// in the resource name.
/// </summary>
public sealed class CollectingLoggerProvider(ConcurrentDictionary<string, ConcurrentQueue<string>> lines) : ILoggerProvider
{

    public ILogger CreateLogger(string categoryName) => new CollectingLogger(lines.GetOrAdd(categoryName, _ => new ConcurrentQueue<string>()));

    public void Dispose()
    {
    }

    private sealed class CollectingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
