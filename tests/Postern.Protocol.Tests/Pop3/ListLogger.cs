using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Postern.Pop3;

namespace Postern.Protocol.Tests.Pop3;

/// <summary>Records log events so tests can check what the server logged (and what it did not).</summary>
internal sealed class ListLogger : ILogger<Pop3Handler>
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((eventId, logLevel, formatter(state, exception)));
}
