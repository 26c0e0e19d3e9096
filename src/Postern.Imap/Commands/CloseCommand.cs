using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>CLOSE (RFC 3501 6.4.2): silently expunges \Deleted messages when read-write, then deselects.</summary>
public sealed class CloseCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 0, 0);
        var box = session.RequireSelected;
        if (!box.ReadOnly)
        {
            await session.Store.ExpungeAsync(box.Info.Id, null, ct).ConfigureAwait(false);
        }

        session.Deselect();
        session.Ok(command.Tag, "CLOSE completed");
    }
}
