using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// EXPUNGE (RFC 3501 6.4.3) and UID EXPUNGE (RFC 4315 2.1, only the given UIDs): removes \Deleted
/// messages and reports each with its current number.
/// </summary>
public sealed class ExpungeCommand : IImapCommand
{
    private readonly bool _byUid;

    public ExpungeCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, _byUid ? 1 : 0, _byUid ? 1 : 0);
        var box = session.RequireSelected;
        List<uint>? uids = _byUid ? MessageSelection.Uids(box, Arguments.Set(command.Args[0]), byUid: true) : null;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        if (uids is null || uids.Count > 0)
        {
            await session.Store.ExpungeAsync(box.Info.Id, uids, ct).ConfigureAwait(false);
        }

        // The refresh reports our removals (and anyone else's changes) with correct renumbering.
        await session.RefreshAsync(ct).ConfigureAwait(false);
        session.Ok(command.Tag, (_byUid ? "UID " : "") + "EXPUNGE completed");
    }
}
