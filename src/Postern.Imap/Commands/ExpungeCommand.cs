using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>EXPUNGE (RFC 3501 6.4.3): removes \Deleted messages and reports each with its current number.</summary>
public sealed class ExpungeCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        var box = session.RequireSelected;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        await session.Store.ExpungeAsync(box.Info.Id, null, ct).ConfigureAwait(false);

        // The refresh reports our removals (and anyone else's changes) with correct renumbering.
        await session.RefreshAsync(ct).ConfigureAwait(false);
        session.Ok(command.Tag, "EXPUNGE completed");
    }
}
