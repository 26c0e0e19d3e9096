using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// STARTTLS (RFC 3501 6.2.1, RFC 9051 6.2.1). The connection discards everything the client sent
/// after the command line, so nothing pipelined behind STARTTLS runs inside TLS (CVE-2011-0411).
/// </summary>
public sealed class StartTlsCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        if (session.Connection.IsTls)
        {
            throw ImapException.Bad("TLS is already active");
        }

        if (!session.Connection.CanStartTls)
        {
            throw ImapException.No("TLS is not available");
        }

        session.Ok(command.Tag, "Begin TLS negotiation now");
        await session.Connection.StartTlsAsync(ct).ConfigureAwait(false);
        if (session.Connection.DiscardedAtUpgrade > 0)
        {
            Log.DiscardedAtUpgrade(session.Log, session.Connection.DiscardedAtUpgrade);
        }

        Log.TlsStarted(session.Log, session.Connection.TlsDescription);
    }
}
