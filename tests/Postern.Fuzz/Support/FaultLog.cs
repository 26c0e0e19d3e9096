using Microsoft.Extensions.Logging;

namespace Postern.Fuzz.Support;

/// <summary>
/// The logger handed to the protocol handlers. A session that swallows an exception and logs it as
/// a server fault (Error or Critical, e.g. IMAP's "NO [SERVERBUG]") has hit a bug the client could
/// trigger, so <see cref="ThrowIfAny"/> turns the first such event into a crash for afl++.
/// </summary>
public sealed class FaultLog<T> : ILogger<T>
{
    private readonly List<(EventId Id, string Message, Exception? Error)> _faults = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            lock (_faults)
            {
                _faults.Add((eventId, formatter(state, exception), exception));
            }
        }
    }

    public void ThrowIfAny()
    {
        lock (_faults)
        {
            if (_faults.Count > 0)
            {
                var (id, message, error) = _faults[0];
                throw new ServerFaultException($"The server logged a fault (event {id.Id}): {message}", error);
            }
        }
    }
}

/// <summary>A fault the server logged instead of throwing; its inner exception is the one it caught.</summary>
public sealed class ServerFaultException(string message, Exception? inner) : Exception(message, inner);
