using MimeKit;
using MimeKit.Utils;
using Postern.Storage;

namespace Postern.Imap.Threading;

/// <summary>
/// What SORT and THREAD need of one message, taken from its header block and then kept instead
/// of the header: a few short strings per message, so 100,000 messages stay small.
/// </summary>
public sealed class MessageFacts
{
    /// <summary>Index in the selected mailbox (MSN - 1); also the final tie-breaker (RFC 5256 3).</summary>
    public required int Index { get; init; }

    /// <summary>The number reported: MSN, or UID for UID SORT / UID THREAD.</summary>
    public required uint Number { get; init; }

    public required MessageInfo Info { get; init; }

    public string BaseSubject { get; init; } = "";

    public bool IsReplyOrForward { get; init; }

    /// <summary>RFC 5256 2.2: the Date: header in UTC, or the internal date when it is missing or unparseable.</summary>
    public DateTimeOffset SentDate { get; init; }

    /// <summary>addr-mailbox (local part) of the first address, or a group's name (RFC 5256 3 FROM, TO, CC).</summary>
    public string From { get; init; } = "";

    public string To { get; init; } = "";

    public string Cc { get; init; } = "";

    /// <summary>RFC 5957: display name of the first address, else its addr-spec.</summary>
    public string DisplayFrom { get; init; } = "";

    public string DisplayTo { get; init; } = "";

    public string? MessageId { get; init; }

    /// <summary>References, or the first In-Reply-To id when there are none (RFC 5256 3, REFERENCES step 1).</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>A bound on the references kept per message; a header block is bounded anyway, this keeps the linking cheap.</summary>
    private const int MaxReferences = 512;

    public static MessageFacts Create(int index, uint number, MessageInfo info, MimeMessage? m, bool withReferences)
    {
        if (m is null)
        {
            // Expunged meanwhile: sorts by what the index knows.
            return new MessageFacts { Index = index, Number = number, Info = info, SentDate = info.InternalDate };
        }

        var (subject, reply) = Threading.BaseSubject.Extract(m.Subject);
        var from = m.From.FirstOrDefault();
        var to = m.To.FirstOrDefault();
        IReadOnlyList<string> refs = [];
        if (withReferences)
        {
            var list = m.References.Where(r => r.Length > 0).ToList();
            if (list.Count == 0 && !string.IsNullOrEmpty(m.InReplyTo))
            {
                list.Add(m.InReplyTo);
            }

            refs = list.Count > MaxReferences ? list[^MaxReferences..] : list;
        }

        return new MessageFacts
        {
            Index = index,
            Number = number,
            Info = info,
            BaseSubject = subject,
            IsReplyOrForward = reply,
            SentDate = SentDateOf(m, info),
            From = Mailbox(from),
            To = Mailbox(to),
            Cc = Mailbox(m.Cc.FirstOrDefault()),
            DisplayFrom = Display(from),
            DisplayTo = Display(to),
            MessageId = string.IsNullOrEmpty(m.MessageId) ? null : m.MessageId,
            References = refs,
        };
    }

    /// <summary>
    /// addr-mailbox of the first address as ENVELOPE lists it (RFC 5256 3): for a group that is the
    /// group's name, which its opening (NIL NIL "name" NIL) entry carries.
    /// </summary>
    private static string Mailbox(InternetAddress? a) => a switch
    {
        MailboxAddress mailbox => mailbox.LocalPart,
        GroupAddress group => group.Name ?? "",
        _ => "",
    };

    /// <summary>RFC 5957 3: the display name of the first address, else its addr-spec; a group shows its name.</summary>
    private static string Display(InternetAddress? a) => a switch
    {
        MailboxAddress mailbox => !string.IsNullOrWhiteSpace(mailbox.Name) ? mailbox.Name.Trim() : mailbox.Address,
        GroupAddress group => group.Name ?? "",
        _ => "",
    };

    private static DateTimeOffset SentDateOf(MimeMessage m, MessageInfo info)
    {
        string? raw = m.Headers[HeaderId.Date];
        return raw is not null && DateUtils.TryParse(raw, out var date) ? date.ToUniversalTime() : info.InternalDate.ToUniversalTime();
    }
}
