using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2; RFC 9051 6.3.2), with the CONDSTORE and QRESYNC
/// parameters of RFC 7162 3.1.8 and 3.2.5.
/// </summary>
public sealed class SelectCommand : IImapCommand
{
    private readonly bool _readOnly;

    public SelectCommand(bool readOnly) => _readOnly = readOnly;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 2);
        string name = Arguments.Mailbox(session, command.Args[0]);
        var parameters = command.Args.Count == 2 ? SelectParameters.Parse(command.Args[1]) : SelectParameters.None;
        if (parameters.QResync is not null && !session.IsQResync)
        {
            // RFC 7162 3.2.5: QRESYNC without a prior ENABLE QRESYNC is a client error.
            throw ImapException.Bad("QRESYNC is not enabled");
        }

        // Structures computed in the mailbox being left go to the store's cache before it is forgotten.
        await session.FlushStructuresAsync(ct).ConfigureAwait(false);

        // Selecting deselects first, without expunging; a failed SELECT leaves nothing selected (RFC 3501 6.3.1).
        session.DeselectForSelect();
        if (parameters.CondStore)
        {
            // RFC 7162 3.1.8: SELECT (CONDSTORE) is a CONDSTORE-enabling command.
            session.Enabled |= ImapExtensions.CondStore;
        }

        var box = await session.Store.GetMailboxAsync(session.RequireAccount.Id, name, ct).ConfigureAwait(false)
            ?? throw ImapException.No("[NONEXISTENT] No such mailbox");
        var messages = await session.Store.ListMessagesAsync(box.Id, ct).ConfigureAwait(false);
        var selected = new SelectedMailbox(box, _readOnly, messages, session.Options.ParseCacheSize) { TracksRecent = !session.IsRev2 };
        if (selected.TracksRecent && messages.Count > 0)
        {
            // SELECT takes the messages nobody was told about as this session's recent ones;
            // EXAMINE only looks (RFC 3501 2.3.2, 6.3.2).
            uint upTo = messages[^1].Uid + 1;
            uint first = await session.Store.ClaimRecentAsync(box.Id, _readOnly ? 0 : upTo, ct).ConfigureAwait(false);
            selected.AddRecent(first, upTo);
        }

        session.Untagged("FLAGS " + selected.FlagList);
        session.Untagged($"{messages.Count} EXISTS");
        if (session.IsRev2)
        {
            // RFC 9051 6.3.2: rev2 has no \Recent and no RECENT response, but requires a LIST response.
            await SendListAsync(session, box, ct).ConfigureAwait(false);
        }
        else
        {
            selected.ReportRecent(session.Untagged, always: true);
            for (int i = 0; i < messages.Count; i++)
            {
                if (!messages[i].Flags.HasFlag(MessageFlags.Seen))
                {
                    session.Untagged($"OK [UNSEEN {i + 1}] First unseen message");
                    break;
                }
            }
        }

        // Keywords persist and clients may create new ones: "\*" (RFC 3501 7.1 PERMANENTFLAGS).
        session.Untagged("OK [PERMANENTFLAGS " + selected.PermanentFlagList + "] " + (_readOnly ? "Read-only mailbox" : "Flags permitted"));
        session.Untagged($"OK [UIDVALIDITY {box.UidValidity}] UIDs valid");
        uint uidNext = Math.Max(box.UidNext, messages.Count == 0 ? 1 : messages[^1].Uid + 1);
        session.Untagged($"OK [UIDNEXT {uidNext}] Predicted next UID");
        if (session.IsCondStore)
        {
            // Modseqs are always kept, so [NOMODSEQ] is never needed (RFC 7162 3.1.2.2).
            session.Untagged($"OK [HIGHESTMODSEQ {selected.HighestModSeq}] Highest");
        }

        if (parameters.QResync is { } q && q.UidValidity == box.UidValidity)
        {
            await ResyncAsync(session, selected, q, ct).ConfigureAwait(false);
        }

        session.Select(selected);
        session.Ok(command.Tag, _readOnly ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
    }

    /// <summary>
    /// RFC 7162 3.2.5.1: what changed since the client's MODSEQ — "VANISHED (EARLIER)" for expunged
    /// UIDs, then FETCH (UID FLAGS MODSEQ) for changed messages, both limited to the known UIDs
    /// when the client sent them. A different UIDVALIDITY gets neither (the client starts over).
    /// </summary>
    private static async Task ResyncAsync(ImapSession session, SelectedMailbox box, QResyncParameters q, CancellationToken ct)
    {
        var known = q.KnownUids?.Resolve(uint.MaxValue);
        var gone = await session.Store.ExpungedSinceAsync(box.Info.Id, q.ModSeq, ct).ConfigureAwait(false);
        // A UID still in the view was expunged after the list was read: the next refresh reports
        // it with the right numbering, so it must not vanish early here.
        var vanished = gone.Where(u => (known is null || SequenceSet.Contains(known, u)) && box.IndexOfUid(u) < 0).ToList();
        if (vanished.Count > 0)
        {
            session.Untagged("VANISHED (EARLIER) " + UidSetText.Format(vanished));
        }

        for (int i = 0; i < box.Messages.Count; i++)
        {
            var m = box.Messages[i];
            if (m.ModSeq > q.ModSeq && (known is null || SequenceSet.Contains(known, m.Uid)))
            {
                session.Untagged($"{i + 1} FETCH (UID {m.Uid} {box.FlagData(m, condStore: true, withUid: false)})");
            }
        }
    }

    /// <summary>The mailbox's LIST response with accurate attributes, as rev2 SELECT requires (RFC 9051 6.3.2).</summary>
    private static async Task SendListAsync(ImapSession session, MailboxInfo box, CancellationToken ct)
    {
        var boxes = await session.Store.ListMailboxesAsync(session.RequireAccount.Id, ct).ConfigureAwait(false);
        bool children = boxes.Any(b => b.Name.StartsWith(box.Name + "/", StringComparison.Ordinal));
        var attrs = new List<string> { children ? "\\HasChildren" : "\\HasNoChildren" };
        if (box.SpecialUse is { } use)
        {
            attrs.Add(use);
        }

        session.Untagged($"LIST ({string.Join(' ', attrs)}) \"/\" {ImapText.Mailbox(session, box.Name)}");
    }
}
