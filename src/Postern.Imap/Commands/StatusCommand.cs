using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// STATUS (RFC 3501 6.3.10, RFC 9051 6.3.11): MESSAGES, RECENT (not in rev2), UIDNEXT,
/// UIDVALIDITY, UNSEEN, DELETED (rev2), SIZE (RFC 8438 STATUS=SIZE, octets of all messages),
/// APPENDLIMIT (RFC 7889, the largest APPEND accepted) and HIGHESTMODSEQ (RFC 7162 3.1.10).
/// </summary>
public sealed class StatusCommand : IImapCommand
{
    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 2);
        string name = Arguments.Mailbox(session, command.Args[0]);
        var items = command.Args[1];
        if (items.Kind != ImapTokenKind.List || items.Items.Count == 0)
        {
            throw ImapException.Bad("Expected a list of status items");
        }

        var words = new List<string>();
        foreach (var item in items.Items)
        {
            string word = item.Kind == ImapTokenKind.Atom ? item.Text.ToUpperInvariant() : "";
            if (word is not ("MESSAGES" or "RECENT" or "UIDNEXT" or "UIDVALIDITY" or "UNSEEN" or "DELETED" or "SIZE" or "APPENDLIMIT" or "HIGHESTMODSEQ")
                || (word == "RECENT" && session.IsRev2))
            {
                // RFC 9051 removed RECENT: a rev2 client asking for it made a syntax error.
                throw ImapException.Bad("Unknown status item");
            }

            words.Add(word);
        }

        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        session.Untagged($"STATUS {ImapText.Mailbox(session, box.Name)} {await StatusItems.FormatAsync(session, box, words, ct).ConfigureAwait(false)}");
        session.Ok(command.Tag, "STATUS completed");
    }
}
