using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>NOOP (RFC 3501 6.1.2) and CHECK (6.4.1): both report what changed in the selected mailbox.</summary>
public sealed class NoopCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        await session.RefreshAsync(ct).ConfigureAwait(false);
        session.Ok(command.Tag, command.Name + " completed");
    }
}
