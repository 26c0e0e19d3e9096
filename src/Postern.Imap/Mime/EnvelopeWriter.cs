using System.Text;
using MimeKit;
using MimeKit.Utils;
using Postern.Imap.Session;

namespace Postern.Imap.Mime;

/// <summary>Builds the ENVELOPE structure (RFC 3501 7.4.2) from MimeKit's parse.</summary>
public static class EnvelopeWriter
{
    public static string Write(MimeMessage m)
    {
        var sb = new StringBuilder("(");
        sb.Append(ImapText.String(Raw(m, HeaderId.Date))).Append(' ');
        sb.Append(ImapText.String(Raw(m, HeaderId.Subject))).Append(' ');
        var from = Addresses(m.From);
        sb.Append(from).Append(' ');
        // Sender and Reply-To take the From value when absent or present but empty (RFC 3501 7.4.2).
        sb.Append(m.Sender is null ? from : Addresses([m.Sender])).Append(' ');
        sb.Append(m.ReplyTo.Count == 0 ? from : Addresses(m.ReplyTo)).Append(' ');
        sb.Append(Addresses(m.To)).Append(' ');
        sb.Append(Addresses(m.Cc)).Append(' ');
        sb.Append(Addresses(m.Bcc)).Append(' ');
        sb.Append(ImapText.String(Raw(m, HeaderId.InReplyTo))).Append(' ');
        sb.Append(ImapText.String(Raw(m, HeaderId.MessageId)));
        return sb.Append(')').ToString();
    }

    /// <summary>The header's value as it was sent, unfolded and trimmed; null when absent.</summary>
    private static string? Raw(MimeMessage m, HeaderId id)
    {
        int idx = m.Headers.IndexOf(id);
        if (idx < 0)
        {
            return null;
        }

        var raw = m.Headers[idx].RawValue;
        string text = Encoding.UTF8.GetString(raw);
        return text.Replace("\r\n", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
    }

    private static string Addresses(IEnumerable<InternetAddress> list)
    {
        var sb = new StringBuilder();
        foreach (var address in list)
        {
            Append(sb, address, 0);
        }

        return sb.Length == 0 ? "NIL" : "(" + sb + ")";
    }

    private static void Append(StringBuilder sb, InternetAddress address, int depth)
    {
        if (address is MailboxAddress mb)
        {
            string local = mb.LocalPart;
            string? domain = mb.Domain;
            // The adl is an obsolete source route, "@a,@b" (RFC 3501 7.4.2; RFC 5322 4.4 obs-route).
            string? adl = mb.Route.Count == 0 ? null : string.Join(',', mb.Route.Select(d => "@" + d));
            sb.Append('(').Append(ImapText.String(EncodeName(mb.Name))).Append(' ').Append(ImapText.String(adl)).Append(' ')
                .Append(ImapText.String(local)).Append(' ')
                .Append(ImapText.String(string.IsNullOrEmpty(domain) ? null : domain)).Append(')');
        }
        else if (address is GroupAddress group && depth == 0)
        {
            // A group is (NIL NIL "name" NIL) members (NIL NIL NIL NIL) (RFC 3501 7.4.2).
            sb.Append("(NIL NIL ").Append(ImapText.String(group.Name)).Append(" NIL)");
            foreach (var member in group.Members)
            {
                Append(sb, member, depth + 1);
            }

            sb.Append("(NIL NIL NIL NIL)");
        }
    }

    private static string? EncodeName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        return name.All(c => c < 0x7f) ? name : Encoding.ASCII.GetString(Rfc2047.EncodeText(Encoding.UTF8, name));
    }
}
