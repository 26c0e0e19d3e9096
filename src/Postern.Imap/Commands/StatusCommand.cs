using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// STATUS (RFC 3501 6.3.10): MESSAGES, RECENT (always 0), UIDNEXT, UIDVALIDITY, UNSEEN, plus SIZE
/// (RFC 8438 STATUS=SIZE, octets of all messages) and APPENDLIMIT (RFC 7889, the largest APPEND accepted).
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

        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        var parts = new List<string>();
        foreach (var item in items.Items)
        {
            string word = item.Kind == ImapTokenKind.Atom ? item.Text.ToUpperInvariant() : "";
            parts.Add(word switch
            {
                "MESSAGES" => "MESSAGES " + box.MessageCount,
                "RECENT" => "RECENT 0",
                "UIDNEXT" => "UIDNEXT " + box.UidNext,
                "UIDVALIDITY" => "UIDVALIDITY " + box.UidValidity,
                "UNSEEN" => "UNSEEN " + box.UnseenCount,
                "SIZE" => "SIZE " + box.TotalSize,
                "APPENDLIMIT" => "APPENDLIMIT " + session.Options.MaxAppendSize,
                "DELETED" => "DELETED " + await StatusItems.DeletedAsync(session, box, ct).ConfigureAwait(false),
                _ => throw ImapException.Bad("Unknown status item"),
            });
        }

        session.Untagged($"STATUS {ImapText.Mailbox(session, box.Name)} ({string.Join(' ', parts)})");
        session.Ok(command.Tag, "STATUS completed");
    }
}
