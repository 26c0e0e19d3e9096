using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// COPY and UID COPY (RFC 3501 6.4.7, 6.4.8) in one store transaction, answered with COPYUID
/// (RFC 4315 3). Clients use it to file mail and to move mail to Trash.
/// </summary>
public sealed class CopyCommand : IImapCommand
{
    private readonly bool _byUid;

    public CopyCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        var set = Arguments.Set(command.Args[0]);
        string name = Arguments.Mailbox(session, command.Args[1]);
        var box = session.RequireSelected;
        var target = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[TRYCREATE] No such mailbox");

        var uids = MessageSelection.Uids(box, set, _byUid);
        string code = "";
        if (uids.Count > 0)
        {
            await QuotaCheck.EnsureRoomForCopyAsync(session, uids, ct).ConfigureAwait(false);
            var result = await MailboxErrors.RunAsync(() => session.Store.CopyAsync(box.Info.Id, uids, target.Id, ct)).ConfigureAwait(false);
            // Messages another session expunged meanwhile are skipped; COPYUID lists what was copied.
            code = CopyUid.Code(result);
        }

        session.Ok(command.Tag, code + (_byUid ? "UID " : "") + "COPY completed");
    }
}
