using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>DELETE (RFC 3501 6.3.4, RFC 9051 6.3.5): never INBOX; a mailbox with children is refused with [HASCHILDREN].</summary>
public sealed class DeleteCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string name = Arguments.Mailbox(session, command.Args[0]);
        if (name == "INBOX")
        {
            throw ImapException.No("[CANNOT] INBOX cannot be deleted");
        }

        // Deleting the selected mailbox would leave the session pointing at nothing.
        if (session.Selected is { } selected && selected.Info.Name == name)
        {
            throw ImapException.No("[INUSE] Close the mailbox before deleting it");
        }

        // A mailbox with children is refused (the store keeps no \Noselect placeholders) with the
        // HASCHILDREN code RFC 9051 6.3.5 asks for, so a client knows to delete the children first.
        var boxes = await session.Store.ListMailboxesAsync(session.RequireAccount.Id, ct).ConfigureAwait(false);
        if (boxes.Any(b => b.Name.StartsWith(name + "/", StringComparison.Ordinal)))
        {
            throw ImapException.No("[HASCHILDREN] Delete the child mailboxes first");
        }

        await MailboxErrors.RunAsync(() => session.Store.DeleteMailboxAsync(session.RequireAccount.Id, name, ct)).ConfigureAwait(false);
        Log.MailboxDeleted(session.Log, session.RequireAccount.Id);
        session.Ok(command.Tag, "DELETE completed");
    }
}
