namespace Postern.Net;

/// <summary>A protocol's entry point: runs one session on a connection until it ends.</summary>
/// <remarks>
/// For implicit-TLS endpoints the connection is already TLS when this is called. The handler
/// owns the greeting, the command loop and the STARTTLS decision; the caller disposes the connection.
/// </remarks>
public interface IConnectionHandler
{
    Task RunAsync(MailConnection connection, CancellationToken ct);

    /// <summary>
    /// Instead of a session: tells the client, in place of the greeting and in the protocol's words,
    /// that it may not be served now (<paramref name="reason"/> is one sentence for people), and flushes.
    /// On implicit-TLS endpoints the connection is already TLS, so email programs can show the words.
    /// </summary>
    Task RefuseAsync(MailConnection connection, string reason, CancellationToken ct);
}
