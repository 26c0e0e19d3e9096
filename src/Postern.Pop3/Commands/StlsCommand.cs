using System.Security.Authentication;
using Postern.Pop3.Parsing;
using Postern.Pop3.Session;

namespace Postern.Pop3.Commands;

/// <summary>STLS (RFC 2595 section 4): upgrade the connection to TLS in AUTHORIZATION.</summary>
internal static class StlsCommand
{
    public static async ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        if (command.Arguments.Count != 0)
        {
            return CommandResult.Error(Replies.Syntax);
        }

        var c = session.Connection;
        if (c.IsTls)
        {
            return CommandResult.Error("TLS is already active");
        }

        if (!c.CanStartTls)
        {
            return CommandResult.Error("STLS is not available");
        }

        c.WriteLine("+OK Begin TLS negotiation");
        try
        {
            // Flushes the reply, then discards every byte the client pipelined after STLS so none
            // of it can run inside the TLS session (the STARTTLS command injection attack).
            await c.StartTlsAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // The stream is in an unknown state after a failed handshake: nothing more can be said.
            session.Log.TlsFailed(session.Remote, e.GetType().Name);
            return CommandResult.Close;
        }

        session.PendingUser = null;
        session.Log.TlsStarted(session.Remote, c.TlsDescription);
        if (c.DiscardedAtUpgrade > 0)
        {
            session.Log.DiscardedAfterStls(session.Remote, c.DiscardedAtUpgrade);
        }

        // RFC 2595 section 4: the client must discard what it knew and ask CAPA again; nothing to send.
        return CommandResult.Ok;
    }
}
