namespace Postern.Imap.Mime;

/// <summary>
/// Finds and trims oversized header fields before MimeKit sees them. MimeKit's parser grows its
/// header buffer in small steps, so one header field of S octets costs about S² / (line length)
/// in copying: a 1.5 MB folded Subject took 6 s and 16 GB of allocations per parse in our tests.
/// A field of <see cref="ParsedMessage.MaxHeaderFieldBytes"/> costs milliseconds.
/// </summary>
public static class HeaderBloat
{
    /// <summary>
    /// True when some header field (a line and its continuation lines) is longer than
    /// <paramref name="limit"/>. Header context is approximated in one linear pass: the start of
    /// the message, each line starting with "--" (a boundary candidate) and the header of an
    /// embedded message (after a header block naming a message/* type), up to the next blank line.
    /// </summary>
    public static bool HasOversizedField(ReadOnlySpan<byte> raw, int limit)
    {
        bool inHeader = true;
        bool messageTypeSeen = false;
        long field = 0;
        int i = 0;
        while (i < raw.Length)
        {
            int lf = raw[i..].IndexOf((byte)'\n');
            int end = lf < 0 ? raw.Length : i + lf + 1;
            var line = raw[i..end];
            i = end;
            if (!inHeader)
            {
                if (line.StartsWith("--"u8))
                {
                    inHeader = true;
                    messageTypeSeen = false;
                    field = 0;
                }

                continue;
            }

            if (IsBlank(line))
            {
                // An embedded message's own header follows the part header that named message/*.
                inHeader = messageTypeSeen;
                messageTypeSeen = false;
                field = 0;
                continue;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                field += line.Length;
            }
            else
            {
                field = line.Length;
                // Only the start of the line matters, so a huge line costs nothing extra here.
                var head = line[..Math.Min(line.Length, 256)];
                messageTypeSeen |= StartsWithIgnoreCase(head, "content-type:"u8) && ContainsIgnoreCase(head, "message/"u8);
            }

            if (field > limit)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The header block <paramref name="header"/> with every field cut to at most
    /// <paramref name="limit"/> octets (whole continuation lines are dropped; an over-long first
    /// line is cut), always ending with the blank line.
    /// </summary>
    public static byte[] Compact(ReadOnlySpan<byte> header, int limit)
    {
        var output = new MemoryStream();
        long field = 0;
        int i = 0;
        while (i < header.Length)
        {
            int lf = header[i..].IndexOf((byte)'\n');
            int end = lf < 0 ? header.Length : i + lf + 1;
            var line = header[i..end];
            i = end;
            if (IsBlank(line))
            {
                break;
            }

            bool continuation = line[0] is (byte)' ' or (byte)'\t';
            field = continuation ? field + line.Length : line.Length;
            if (field <= limit)
            {
                output.Write(line);
                if (line[^1] != (byte)'\n')
                {
                    output.Write("\r\n"u8);
                }
            }
            else if (!continuation)
            {
                output.Write(line[..limit]);
                output.Write("\r\n"u8);
            }
        }

        output.Write("\r\n"u8);
        return output.ToArray();
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) =>
        line.Length == 0 || line[0] == (byte)'\n' || (line[0] == (byte)'\r' && line.Length >= 2 && line[1] == (byte)'\n');

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerPrefix)
    {
        if (line.Length < lowerPrefix.Length)
        {
            return false;
        }

        for (int k = 0; k < lowerPrefix.Length; k++)
        {
            if ((line[k] | 0x20) != lowerPrefix[k] && line[k] != lowerPrefix[k])
            {
                return false;
            }
        }

        return true;
    }

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower)
    {
        for (int k = 0; k + lower.Length <= text.Length; k++)
        {
            if (StartsWithIgnoreCase(text[k..], lower))
            {
                return true;
            }
        }

        return false;
    }
}
