using System.Globalization;
using System.Text;
using Postern.Storage;

namespace Postern.Imap.Session;

/// <summary>Formats values for responses: strings, flags, dates (RFC 3501 9).</summary>
public static class ImapText
{
    /// <summary>
    /// A string as "quoted" when every character allows it, otherwise as a literal {n} (needed
    /// for CR, LF, NUL and 8-bit text, which quoted strings cannot carry, RFC 3501 4.3).
    /// </summary>
    public static string String(string? value)
    {
        if (value is null)
        {
            return "NIL";
        }

        bool quotable = true;
        foreach (char c in value)
        {
            if (c is '\r' or '\n' or '\0' || c > 0x7e)
            {
                quotable = false;
                break;
            }
        }

        if (!quotable)
        {
            return "{" + Encoding.UTF8.GetByteCount(value) + "}\r\n" + value;
        }

        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A mailbox name as an atom when safe, else as a string.</summary>
    public static string AString(string value)
    {
        foreach (char c in value)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return String(value);
            }
        }

        return value.Length == 0 ? "\"\"" : value;
    }

    /// <summary>A mailbox name as the client sees it: modified UTF-7 (RFC 3501 5.1.3), as an atom when safe.</summary>
    public static string Mailbox(string name) => AString(Postern.Imap.Parsing.ModifiedUtf7.Encode(name));

    /// <summary>
    /// A mailbox name in the session's encoding: modified UTF-7 for rev1 clients, UTF-8 once
    /// UTF8=ACCEPT or IMAP4rev2 is enabled (RFC 6855 3: quoted strings may then hold UTF-8).
    /// </summary>
    public static string Mailbox(ImapSession session, string name) =>
        session.Utf8Names ? Utf8AString(name) : Mailbox(name);

    /// <summary>An astring that may carry UTF-8 in a quoted string (RFC 6855 3); a literal only for CR, LF, NUL.</summary>
    public static string Utf8AString(string value)
    {
        foreach (char c in value)
        {
            if (c is '\r' or '\n' or '\0')
            {
                return "{" + Encoding.UTF8.GetByteCount(value) + "}\r\n" + value;
            }
        }

        foreach (char c in value)
        {
            if (c <= ' ' || c == 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            }
        }

        bool ascii = value.All(c => c < 0x7f);
        return value.Length == 0 ? "\"\"" : ascii ? value : "\"" + value + "\"";
    }

    /// <summary>A message's system flags and keywords as a flag list (RFC 3501 7.4.2 FLAGS), with \Recent when the session has it so.</summary>
    public static string Flags(MessageInfo message, bool recent = false) => Flags(message.Flags, message.Keywords, recent);

    public static string Flags(MessageFlags flags) => Flags(flags, []);

    public static string Flags(MessageFlags flags, IReadOnlyList<string> keywords, bool recent = false)
    {
        var sb = new StringBuilder("(");
        void Add(MessageFlags f, string name)
        {
            if (flags.HasFlag(f))
            {
                if (sb.Length > 1)
                {
                    sb.Append(' ');
                }

                sb.Append(name);
            }
        }

        Add(MessageFlags.Seen, "\\Seen");
        Add(MessageFlags.Answered, "\\Answered");
        Add(MessageFlags.Flagged, "\\Flagged");
        Add(MessageFlags.Deleted, "\\Deleted");
        Add(MessageFlags.Draft, "\\Draft");
        if (recent)
        {
            // A session flag, not stored with the message (RFC 3501 2.3.2).
            sb.Append(sb.Length > 1 ? " \\Recent" : "\\Recent");
        }

        foreach (string k in keywords)
        {
            if (sb.Length > 1)
            {
                sb.Append(' ');
            }

            sb.Append(k);
        }

        return sb.Append(')').ToString();
    }

    /// <summary>Maps a system flag name to its value; null for keywords and unknown names.</summary>
    public static MessageFlags? ParseFlag(string name) => name.ToUpperInvariant() switch
    {
        "\\SEEN" => MessageFlags.Seen,
        "\\ANSWERED" => MessageFlags.Answered,
        "\\FLAGGED" => MessageFlags.Flagged,
        "\\DELETED" => MessageFlags.Deleted,
        "\\DRAFT" => MessageFlags.Draft,
        _ => null,
    };

    /// <summary>date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE (RFC 3501 9).</summary>
    public static string DateTime(DateTimeOffset value)
    {
        var off = value.Offset;
        string sign = off < TimeSpan.Zero ? "-" : "+";
        off = off.Duration();
        return "\"" + value.ToString("dd-MMM-yyyy HH:mm:ss", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(20, ' ')
            + " " + sign + off.Hours.ToString("00", CultureInfo.InvariantCulture) + off.Minutes.ToString("00", CultureInfo.InvariantCulture) + "\"";
    }
}
