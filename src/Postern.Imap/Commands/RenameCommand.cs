using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>RENAME (RFC 3501 6.3.5, RFC 9051 6.3.6): children move along; renaming INBOX moves its messages.</summary>
public sealed class RenameCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        string from = Arguments.Mailbox(session, command.Args[0]);
        string to = Arguments.Mailbox(session, command.Args[1]).TrimEnd('/');
        if (to == "INBOX")
        {
            throw ImapException.No("[ALREADYEXISTS] INBOX always exists");
        }

        if (to.Length == 0)
        {
            throw ImapException.No("[CANNOT] Invalid mailbox name");
        }

        // Too long or too deep: NO [LIMIT] before the store is reached (a child's new name the store checks).
        MailboxErrors.CheckLimit(() => StoreLimits.CheckMailboxName(to));

        await MailboxErrors.RunAsync(() => session.Store.RenameMailboxAsync(session.RequireAccount.Id, from, to, ct)).ConfigureAwait(false);
        session.Ok(command.Tag, "RENAME completed");
    }
}
