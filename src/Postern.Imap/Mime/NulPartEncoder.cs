using MimeKit;

namespace Postern.Imap.Mime;

/// <summary>
/// Re-encodes the parts of a literal8 APPEND that hold NUL octets as base64, so the stored message
/// can be sent in BODY literals, which may not carry NUL (RFC 3501 9, CHAR8).
/// </summary>
/// <remarks>
/// RFC 3516 4.4 lets the server change the CTE of appended binary data without losing any, and
/// section 6 requires BODYSTRUCTURE and BODY to describe a CTE IMAP4rev1 can carry; BINARY[part]
/// decodes the base64 and returns the original octets. Only leaf parts with a NUL in their body
/// change (their Content-Transfer-Encoding field becomes "base64"); every other octet of the
/// message is kept, since each gratuitous change breaks signatures (RFC 3516 6). A NUL in a header
/// cannot be re-encoded and is left alone.
/// </remarks>
public static class NulPartEncoder
{
    /// <summary>Base64 line length of RFC 2045 6.8.</summary>
    private const int LineLength = 76;

    /// <summary>The message with its NUL-holding parts base64-encoded, or null when nothing needs to change.</summary>
    public static byte[]? Encode(byte[] raw)
    {
        if (raw.AsSpan().IndexOf((byte)0) < 0)
        {
            return null;
        }

        var parsed = ParsedMessage.Parse(raw);
        var edits = new List<(ParsedMessage.Span Span, byte[] Replacement)>();
        foreach (var part in Leaves(parsed.Message))
        {
            var span = parsed.SpanOf(part);
            var body = raw.AsSpan(span.BodyStart, span.End - span.BodyStart);
            if (span.End > span.BodyStart && span.BodyStart > span.Begin && body.IndexOf((byte)0) >= 0)
            {
                edits.Add((span, Rewrite(raw.AsSpan(span.Begin, span.BodyStart - span.Begin), body)));
            }
        }

        if (edits.Count == 0)
        {
            return null;
        }

        var output = new MemoryStream(raw.Length + raw.Length / 2);
        int at = 0;
        foreach (var (span, replacement) in edits.OrderBy(e => e.Span.Begin))
        {
            output.Write(raw, at, span.Begin - at);
            output.Write(replacement);
            at = span.End;
        }

        output.Write(raw, at, raw.Length - at);
        return output.ToArray();
    }

    /// <summary>Leaf parts in document order, nested messages included; MimeKit's MaxMimeDepth bounds the walk.</summary>
    private static List<MimePart> Leaves(MimeMessage message)
    {
        var leaves = new List<MimePart>();
        var stack = new Stack<MimeEntity>();
        if (message.Body is { } top)
        {
            stack.Push(top);
        }

        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case MimePart leaf:
                    leaves.Add(leaf);
                    break;
                case Multipart multipart:
                    for (int i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push(multipart[i]);
                    }

                    break;
                case MessagePart { Message.Body: { } inner }:
                    stack.Push(inner);
                    break;
            }
        }

        return leaves;
    }

    /// <summary>The part's header without its Content-Transfer-Encoding field (and continuation lines) plus "base64", then the body in base64 lines.</summary>
    private static byte[] Rewrite(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream(header.Length + body.Length * 2);
        bool skipping = false;
        while (header.Length > 0)
        {
            int lf = header.IndexOf((byte)'\n');
            var line = lf < 0 ? header : header[..(lf + 1)];
            header = header[line.Length..];
            bool blank = line.Length <= 2 && line.TrimEnd("\r\n"u8).IsEmpty;
            if (blank)
            {
                output.Write("Content-Transfer-Encoding: base64\r\n"u8);
                output.Write(line);
                break;
            }

            bool continuation = line[0] is (byte)' ' or (byte)'\t';
            skipping = continuation ? skipping : IsTransferEncoding(line);
            if (!skipping)
            {
                output.Write(line);
            }
        }

        string encoded = Convert.ToBase64String(body);
        for (int i = 0; i < encoded.Length; i += LineLength)
        {
            if (i > 0)
            {
                output.Write("\r\n"u8);
            }

            output.Write(System.Text.Encoding.ASCII.GetBytes(encoded, i, Math.Min(LineLength, encoded.Length - i)));
        }

        return output.ToArray();
    }

    private static bool IsTransferEncoding(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf((byte)':');
        return colon > 0 && System.Text.Ascii.EqualsIgnoreCase(line[..colon].TrimEnd(" \t"u8), "Content-Transfer-Encoding"u8);
    }
}
