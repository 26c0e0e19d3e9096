using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>STATUS data items shared by STATUS and LIST-STATUS (RFC 5819), answered from the mailbox's counters.</summary>
internal static class StatusItems
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "APPENDLIMIT", "DELETED", "HIGHESTMODSEQ",
    };

    public static bool IsKnown(string upper) => Known.Contains(upper);

    /// <summary>The "(item value ...)" part of a STATUS response for items already checked with <see cref="IsKnown"/>.</summary>
    public static async Task<string> FormatAsync(ImapSession session, MailboxInfo box, IReadOnlyList<string> items, CancellationToken ct)
    {
        if (items.Contains("HIGHESTMODSEQ"))
        {
            // A CONDSTORE-enabling command, as STATUS is (RFC 7162 3.1).
            session.TurnOnCondStore();
        }

        var parts = new List<string>(items.Count);
        foreach (string item in items)
        {
            parts.Add(item switch
            {
                "MESSAGES" => "MESSAGES " + box.MessageCount,
                // Messages no session has taken as recent yet (RFC 3501 6.3.10), as the next SELECT would.
                "RECENT" => "RECENT " + await session.Store.CountRecentAsync(box.Id, ct).ConfigureAwait(false),
                "UIDNEXT" => "UIDNEXT " + box.UidNext,
                "UIDVALIDITY" => "UIDVALIDITY " + box.UidValidity,
                "UNSEEN" => "UNSEEN " + box.UnseenCount,
                "SIZE" => "SIZE " + box.TotalSize,
                "APPENDLIMIT" => "APPENDLIMIT " + session.Options.MaxAppendSize,
                "DELETED" => "DELETED " + box.DeletedCount,
                _ => "HIGHESTMODSEQ " + box.HighestModSeq,
            });
        }

        return "(" + string.Join(' ', parts) + ")";
    }
}
