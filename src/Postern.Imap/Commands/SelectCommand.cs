using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2).</summary>
public sealed class SelectCommand : IImapCommand
{
    private readonly bool _readOnly;

    public SelectCommand(bool readOnly) => _readOnly = readOnly;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        string name = Arguments.Mailbox(session, command.Args[0]);

        // Selecting deselects first, without expunging; a failed SELECT leaves nothing selected (RFC 3501 6.3.1).
        session.Deselect();
        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        var messages = await session.Store.ListMessagesAsync(box.Id, ct).ConfigureAwait(false);
        var selected = new SelectedMailbox(box, _readOnly, messages, session.Options.ParseCacheSize);

        session.Untagged("FLAGS " + selected.FlagList);
        session.Untagged($"{messages.Count} EXISTS");
        session.Untagged("0 RECENT");
        for (int i = 0; i < messages.Count; i++)
        {
            if (!messages[i].Flags.HasFlag(MessageFlags.Seen))
            {
                session.Untagged($"OK [UNSEEN {i + 1}] First unseen message");
                break;
            }
        }

        // Keywords persist and clients may create new ones: "\*" (RFC 3501 7.1 PERMANENTFLAGS).
        session.Untagged("OK [PERMANENTFLAGS " + selected.PermanentFlagList + "] " + (_readOnly ? "Read-only mailbox" : "Flags permitted"));
        session.Untagged($"OK [UIDVALIDITY {box.UidValidity}] UIDs valid");
        uint uidNext = Math.Max(box.UidNext, messages.Count == 0 ? 1 : messages[^1].Uid + 1);
        session.Untagged($"OK [UIDNEXT {uidNext}] Predicted next UID");
        session.Select(selected);
        session.Ok(command.Tag, _readOnly ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
    }
}
