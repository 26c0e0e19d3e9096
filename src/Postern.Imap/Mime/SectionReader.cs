using System.Text;
using MimeKit;
using Postern.Imap.Parsing;

namespace Postern.Imap.Mime;

/// <summary>Cuts a BODY[section] out of a parsed message (RFC 3501 6.4.5), byte-exact.</summary>
public static class SectionReader
{
    /// <summary>The section's octets; empty when the part does not exist (RFC 3501 leaves that to the server; empty is common).</summary>
    public static ReadOnlyMemory<byte> Read(ParsedMessage pm, BodySection section)
    {
        if (section.Path.Length == 0)
        {
            return ReadText(pm, pm.Message, section);
        }

        MimeEntity? current = pm.Message.Body;
        for (int step = 0; step < section.Path.Length && current is not null; step++)
        {
            int n = section.Path[step];
            var node = step > 0 && current is MessagePart mp ? mp.Message?.Body : current;
            if (node is Multipart multipart)
            {
                current = n <= multipart.Count ? multipart[n - 1] : null;
            }
            else
            {
                // A non-multipart body has exactly one part, numbered 1 (RFC 3501 6.4.5).
                current = n == 1 ? node : null;
            }
        }

        if (current is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var span = pm.SpanOf(current);
        switch (section.Text)
        {
            case SectionText.None:
                return pm.Slice(span.BodyStart, span.End);
            case SectionText.Mime:
                return pm.Slice(span.Begin, span.BodyStart);
            default:
                // HEADER, TEXT and HEADER.FIELDS of a part only make sense for message/rfc822 parts.
                return current is MessagePart { Message: { } inner } ? ReadText(pm, inner, section) : ReadOnlyMemory<byte>.Empty;
        }
    }

    private static ReadOnlyMemory<byte> ReadText(ParsedMessage pm, MimeMessage message, BodySection section)
    {
        var span = pm.SpanOf(message);
        return section.Text switch
        {
            SectionText.Header => pm.Slice(span.Begin, span.BodyStart),
            SectionText.Text => pm.Slice(span.BodyStart, span.End),
            SectionText.HeaderFields => FilterHeader(pm.Raw.AsSpan(span.Begin, span.BodyStart - span.Begin), section.Fields, keep: true),
            SectionText.HeaderFieldsNot => FilterHeader(pm.Raw.AsSpan(span.Begin, span.BodyStart - span.Begin), section.Fields, keep: false),
            _ => pm.Slice(span.Begin, span.End),
        };
    }

    /// <summary>
    /// Keeps (or drops) the named fields of a header block, each with its continuation lines, and
    /// ends with the blank line (RFC 3501 6.4.5: the subset "includes the blank line").
    /// </summary>
    public static byte[] FilterHeader(ReadOnlySpan<byte> header, IReadOnlyList<string> fields, bool keep)
    {
        var output = new MemoryStream();
        bool including = false;
        int i = 0;
        while (i < header.Length)
        {
            int lf = header[i..].IndexOf((byte)'\n');
            int end = lf < 0 ? header.Length : i + lf + 1;
            var line = header[i..end];
            if (line.Length == 0 || line[0] == (byte)'\r' || line[0] == (byte)'\n')
            {
                break;
            }

            if (line[0] is not ((byte)' ' or (byte)'\t'))
            {
                int colon = line.IndexOf((byte)':');
                string name = colon > 0 ? Encoding.ASCII.GetString(line[..colon]).Trim() : "";
                bool listed = fields.Any(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
                including = listed == keep && name.Length > 0;
            }

            if (including)
            {
                output.Write(line);
            }

            i = end;
        }

        output.Write("\r\n"u8);
        return output.ToArray();
    }
}
