using System.Globalization;
using Postern.Storage;

namespace Postern.Pop3.Session;

/// <summary>
/// The maildrop as this session sees it: the INBOX listed once at login (RFC 1939 section 4:
/// message numbers stay fixed for the whole session) plus the messages marked with DELE.
/// </summary>
internal sealed class Maildrop
{
    private readonly IReadOnlyList<MessageInfo> _messages;
    private readonly bool[] _deleted;

    public Maildrop(MailboxInfo mailbox, IReadOnlyList<MessageInfo> messages)
    {
        Mailbox = mailbox;
        _messages = messages;
        _deleted = new bool[messages.Count];
    }

    public MailboxInfo Mailbox { get; }

    /// <summary>Messages in the snapshot, deleted ones included (the highest message number).</summary>
    public int Count => _messages.Count;

    /// <summary>How a message number resolves.</summary>
    public enum Lookup
    {
        Found,
        NoSuchMessage,
        Deleted,
    }

    public Lookup Find(int number, out MessageInfo message)
    {
        message = null!;
        if (number < 1 || number > _messages.Count)
        {
            return Lookup.NoSuchMessage;
        }

        if (_deleted[number - 1])
        {
            return Lookup.Deleted;
        }

        message = _messages[number - 1];
        return Lookup.Found;
    }

    public void MarkDeleted(int number) => _deleted[number - 1] = true;

    /// <summary>RSET (RFC 1939 section 5): unmark every message.</summary>
    public void UndeleteAll() => Array.Clear(_deleted);

    /// <summary>Messages not marked deleted, with their 1-based numbers.</summary>
    public IEnumerable<(int Number, MessageInfo Message)> Live()
    {
        for (int i = 0; i < _messages.Count; i++)
        {
            if (!_deleted[i])
            {
                yield return (i + 1, _messages[i]);
            }
        }
    }

    /// <summary>STAT: count and total size of the messages not marked deleted.</summary>
    public (int Count, long Size) Totals()
    {
        int count = 0;
        long size = 0;
        foreach (var (_, m) in Live())
        {
            count++;
            size += m.Size;
        }

        return (count, size);
    }

    /// <summary>UIDs of the messages marked deleted, ascending (what UPDATE removes).</summary>
    public IReadOnlyList<uint> DeletedUids()
    {
        var uids = new List<uint>();
        for (int i = 0; i < _messages.Count; i++)
        {
            if (_deleted[i])
            {
                uids.Add(_messages[i].Uid);
            }
        }

        return uids;
    }

    /// <summary>
    /// The unique-id listing of a message (RFC 1939 section 7): UIDVALIDITY and UID together are
    /// unique and never reused, so the same message keeps the same id in every session. Digits
    /// and "." only, inside the allowed 0x21-0x7E range and far below the 70-character limit.
    /// </summary>
    public string UniqueId(MessageInfo message) =>
        string.Create(CultureInfo.InvariantCulture, $"{Mailbox.UidValidity}.{message.Uid}");
}
