using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// CREATE (RFC 3501 6.3.3, RFC 9051 6.3.4): missing parents are created by the store. With
/// CREATE-SPECIAL-USE (RFC 6154 3) "CREATE name (USE (\Sent))" gives the new mailbox its special use.
/// </summary>
public sealed class CreateCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 2);
        string name = Arguments.Mailbox(session, command.Args[0]);
        string? specialUse = command.Args.Count == 2 ? SpecialUse.ParseCreateParams(command.Args[1]) : null;

        // A trailing delimiter only says the client means to create children under it (RFC 3501 6.3.3).
        name = name.TrimEnd('/');
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            throw ImapException.No("[ALREADYEXISTS] INBOX always exists");
        }

        if (name.Length == 0)
        {
            throw ImapException.No("[CANNOT] Invalid mailbox name");
        }

        // Too long or too deep: NO [LIMIT] before the store is reached.
        MailboxErrors.CheckLimit(() => StoreLimits.CheckMailboxName(name));

        await MailboxErrors.RunAsync(() => session.Store.CreateMailboxAsync(session.RequireAccount.Id, name, specialUse, ct)).ConfigureAwait(false);
        Log.MailboxCreated(session.Log, session.RequireAccount.Id);
        session.Ok(command.Tag, "CREATE completed");
    }
}
