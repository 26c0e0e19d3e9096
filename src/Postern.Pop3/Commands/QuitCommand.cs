using Postern.Pop3.Parsing;
using Postern.Pop3.Session;
using Postern.Storage;

namespace Postern.Pop3.Commands;

/// <summary>
/// QUIT (RFC 1939 sections 4 and 6). In TRANSACTION it enters UPDATE: exactly the messages this
/// session marked with DELE are removed, by UID, so mail that arrived meanwhile or was never
/// seen by this session cannot be touched.
/// </summary>
internal static class QuitCommand
{
    public static async ValueTask<CommandResult> ExecuteAsync(Pop3Session session, Pop3Command command, CancellationToken ct)
    {
        var c = session.Connection;
        if (session.State == Pop3State.Authorization)
        {
            c.WriteLine($"+OK {session.Hostname} POP3 Postern signing off");
            return CommandResult.Close;
        }

        session.EnterUpdate();
        var drop = session.Maildrop!;
        var uids = drop.DeletedUids();
        int removed = 0;
        if (uids.Count > 0)
        {
            try
            {
                await session.Store.SetFlagsAsync(drop.Mailbox.Id, uids, MessageFlags.Deleted, FlagChange.Add, ct).ConfigureAwait(false);
                removed = (await session.Store.ExpungeAsync(drop.Mailbox.Id, uids, ct).ConfigureAwait(false)).Count;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // RFC 2449 section 8.1.2 / RFC 3206: the client should not assume the messages are gone.
                session.Log.UpdateFailed(e, session.Account!.Address);
                c.WriteLine("-ERR " + Replies.UpdateFailed);
                return CommandResult.Close;
            }
        }

        session.Log.UpdateCompleted(session.Account!.Address, removed);
        c.WriteLine($"+OK {session.Hostname} POP3 Postern signing off ({uids.Count} messages deleted)");
        return CommandResult.Close;
    }
}
