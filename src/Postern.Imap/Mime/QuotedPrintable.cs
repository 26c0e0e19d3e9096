namespace Postern.Imap.Mime;

/// <summary>
/// Quoted-printable decoding as RFC 2045 6.7 defines it, for FETCH BINARY (RFC 3516 4.2): the
/// decoder must undo what transport did to the lines, which MimeKit's streaming decoder leaves in.
/// </summary>
/// <remarks>
/// Per line: white space at the end is transport padding and goes (rule 3), also between a soft
/// line break's "=" and the line end; a line then ending in "=" is a soft break and joins the next
/// one (rule 5); any other line ends in CRLF, the canonical hard line break (rule 4), whether it
/// came as CRLF or a bare LF. "=XY" with two hex digits (either case, as RFC 2045 asks decoders to
/// be robust) is one octet; an "=" that starts no such escape stays as it is. "_" is not a space:
/// that is RFC 2047's Q encoding of header words, not this.
/// </remarks>
public static class QuotedPrintable
{
    public static ReadOnlyMemory<byte> Decode(ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream(body.Length);
        int pos = 0;
        while (pos < body.Length)
        {
            int lf = body[pos..].IndexOf((byte)'\n');
            var line = lf >= 0 ? body.Slice(pos, lf) : body[pos..];
            pos += lf >= 0 ? lf + 1 : line.Length;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            line = line.TrimEnd(" \t"u8);
            bool soft = line.Length > 0 && line[^1] == (byte)'=';
            if (soft)
            {
                line = line[..^1];
            }

            WriteDecoded(output, line);
            if (lf >= 0 && !soft)
            {
                output.Write("\r\n"u8);
            }
        }

        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    private static void WriteDecoded(MemoryStream output, ReadOnlySpan<byte> line)
    {
        while (line.Length > 0)
        {
            int eq = line.IndexOf((byte)'=');
            if (eq < 0)
            {
                output.Write(line);
                return;
            }

            output.Write(line[..eq]);
            if (eq + 2 < line.Length && Hex(line[eq + 1]) is int high and >= 0 && Hex(line[eq + 2]) is int low and >= 0)
            {
                output.WriteByte((byte)((high << 4) | low));
                line = line[(eq + 3)..];
            }
            else
            {
                output.WriteByte((byte)'=');
                line = line[(eq + 1)..];
            }
        }
    }

    private static int Hex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };
}
