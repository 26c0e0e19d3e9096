using Microsoft.Extensions.Logging;

namespace Postern.Web;

/// <summary>
/// Passes ASP.NET Core's own log categories through only from Warning up: its per-request
/// Information lines would log every URL, query string (email addresses) included, which Postern
/// does not log. Hosting's own start failure is dropped: WebHost reports it as one sentence.
/// Postern's own web events (Postern.Web) pass unchanged.
/// </summary>
internal sealed class QuietLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        if (categoryName.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal))
        {
            // "Hosting failed to start" repeats, with a stack trace, the bind error WebHost turns into one sentence.
            return new MinimumLevelLogger(logger, LogLevel.None);
        }

        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new MinimumLevelLogger(logger, LogLevel.Warning) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The inner factory belongs to the caller, who disposes it.
    public void Dispose()
    {
    }

    private sealed class MinimumLevelLogger(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
