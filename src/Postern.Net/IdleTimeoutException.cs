namespace Postern.Net;

/// <summary>The peer sent nothing (or read nothing) within the connection's current timeout, or was too slow for a time bound.</summary>
public sealed class IdleTimeoutException : IOException
{
    public IdleTimeoutException(string message) : base(message) { }

    /// <summary>The configuration key of the time bound that ran out (e.g. "Limits:PreLoginTimeout"); null for the idle timeout.</summary>
    public string? Limit { get; init; }
}
