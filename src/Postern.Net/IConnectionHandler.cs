namespace Postern.Net;

/// <summary>A protocol's entry point: runs one session on a connection until it ends.</summary>
/// <remarks>
/// For implicit-TLS endpoints the connection is already TLS when this is called. The handler
/// owns the greeting, the command loop and the STARTTLS decision; the caller disposes the connection.
/// </remarks>
public interface IConnectionHandler
{
    Task RunAsync(MailConnection connection, CancellationToken ct);
}
