using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// MOVE and UID MOVE (RFC 6851): one atomic store move, then "* OK [COPYUID ...]", the EXPUNGE
/// responses for the moved messages (RFC 6851 3.3), and the tagged OK.
/// </summary>
public sealed class MoveCommand : IImapCommand
{
    private readonly bool _byUid;

    public MoveCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        var set = Arguments.Set(command.Args[0]);
        string name = Arguments.Mailbox(session, command.Args[1]);
        var box = session.RequireSelected;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        var target = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[TRYCREATE] No such mailbox");

        var uids = MessageSelection.Uids(box, set, _byUid);
        if (uids.Count > 0)
        {
            // No quota check: a MOVE stays inside the account (one quota root), so usage does not grow,
            // and an over-quota user must still be able to move mail to Trash to clean up.
            var result = await MailboxErrors.RunAsync(() => session.Store.MoveAsync(box.Info.Id, uids, target.Id, ct)).ConfigureAwait(false);
            string code = CopyUid.Code(result);
            if (code.Length > 0)
            {
                session.Untagged("OK " + code + "Moved");
            }

            // The refresh reports the moved messages as EXPUNGE (and anything else that changed) in order.
            await session.RefreshAsync(ct).ConfigureAwait(false);
        }

        session.Ok(command.Tag, (_byUid ? "UID " : "") + "MOVE completed");
    }
}
