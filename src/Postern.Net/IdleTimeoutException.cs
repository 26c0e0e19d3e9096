namespace Postern.Net;

/// <summary>The peer sent nothing (or read nothing) within the connection's current timeout.</summary>
public sealed class IdleTimeoutException : IOException
{
    public IdleTimeoutException(string message) : base(message) { }
}
