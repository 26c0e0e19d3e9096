using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>STATUS data items shared by STATUS and LIST-STATUS (RFC 5819).</summary>
internal static class StatusItems
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "APPENDLIMIT", "DELETED", "HIGHESTMODSEQ",
    };

    public static bool IsKnown(string upper) => Known.Contains(upper);

    /// <summary>DELETED (RFC 9051 6.3.11): messages with \Deleted; the store keeps no counter, so they are counted.</summary>
    public static async Task<int> DeletedAsync(ImapSession session, MailboxInfo box, CancellationToken ct)
    {
        var messages = await session.Store.ListMessagesAsync(box.Id, ct).ConfigureAwait(false);
        return messages.Count(m => m.Flags.HasFlag(MessageFlags.Deleted));
    }

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
                "RECENT" => "RECENT 0",
                "UIDNEXT" => "UIDNEXT " + box.UidNext,
                "UIDVALIDITY" => "UIDVALIDITY " + box.UidValidity,
                "UNSEEN" => "UNSEEN " + box.UnseenCount,
                "SIZE" => "SIZE " + box.TotalSize,
                "APPENDLIMIT" => "APPENDLIMIT " + session.Options.MaxAppendSize,
                "DELETED" => "DELETED " + await DeletedAsync(session, box, ct).ConfigureAwait(false),
                _ => "HIGHESTMODSEQ " + box.HighestModSeq,
            });
        }

        return "(" + string.Join(' ', parts) + ")";
    }
}
