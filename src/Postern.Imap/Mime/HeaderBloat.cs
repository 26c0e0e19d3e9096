namespace Postern.Imap.Mime;

/// <summary>
/// How much of a header block MimeKit is given: each field (a line and its continuation lines) at
/// most <paramref name="MaxFieldBytes"/> octets, and a block at most <paramref name="MaxFields"/>
/// fields and <paramref name="MaxBytes"/> octets.
/// </summary>
public readonly record struct HeaderLimits(int MaxFieldBytes, int MaxFields, int MaxBytes);

/// <summary>
/// Finds and trims oversized headers before MimeKit sees them. MimeKit's parser grows its header
/// buffer in small steps, so one header field of S octets costs about S² / (line length) in
/// copying: a 1.5 MB folded Subject took 6 s and 16 GB of allocations per parse in our tests. And
/// every field costs a few microseconds to parse and more to gather into MimeKit's address lists:
/// 500,000 To: fields took 0.5-1.5 s to parse and 1.6-2.2 s to turn into an ENVELOPE of 18 MB.
/// Within <see cref="ParsedMessage.HeaderLimits"/> a header costs milliseconds.
/// </summary>
public static class HeaderBloat
{
    /// <summary>
    /// Fields kept beyond the limits (their first occurrence) when a header block is cut: those
    /// ENVELOPE (RFC 3501 7.4.2) and BODYSTRUCTURE (7.4.2, RFC 2045) are built from, so a message
    /// cannot hide its Subject or its MIME type behind a thousand junk fields.
    /// </summary>
    private static readonly byte[][] StructuralFields =
    [
        "date"u8.ToArray(), "subject"u8.ToArray(), "from"u8.ToArray(), "sender"u8.ToArray(), "reply-to"u8.ToArray(),
        "to"u8.ToArray(), "cc"u8.ToArray(), "bcc"u8.ToArray(), "in-reply-to"u8.ToArray(), "message-id"u8.ToArray(),
        "mime-version"u8.ToArray(), "content-type"u8.ToArray(), "content-transfer-encoding"u8.ToArray(),
        "content-disposition"u8.ToArray(), "content-id"u8.ToArray(), "content-description"u8.ToArray(),
        "content-language"u8.ToArray(), "content-location"u8.ToArray(), "content-md5"u8.ToArray(),
    ];

    /// <summary>
    /// True when some header block breaks <paramref name="limits"/> (the first block, the top-level
    /// header, only when <paramref name="checkFirstBlock"/>). Header context is approximated in one
    /// linear pass: the start of the message, each line starting with "--" (a boundary candidate)
    /// and the header of an embedded message (after a header block naming a message/* type), up
    /// to the next blank line.
    /// </summary>
    public static bool IsBloated(ReadOnlySpan<byte> raw, HeaderLimits limits, bool checkFirstBlock = true)
    {
        bool inHeader = true;
        bool firstBlock = true;
        bool messageTypeSeen = false;
        long field = 0;
        long blockBytes = 0;
        int fields = 0;
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
                    field = blockBytes = fields = 0;
                }

                continue;
            }

            if (IsBlank(line))
            {
                // An embedded message's own header follows the part header that named message/*.
                inHeader = messageTypeSeen;
                messageTypeSeen = false;
                field = blockBytes = fields = 0;
                firstBlock = false;
                continue;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                field += line.Length;
            }
            else
            {
                field = line.Length;
                fields++;
                // Only the start of the line matters, so a huge line costs nothing extra here.
                var head = line[..Math.Min(line.Length, 256)];
                messageTypeSeen |= StartsWithIgnoreCase(head, "content-type:"u8) && ContainsIgnoreCase(head, "message/"u8);
            }

            blockBytes += line.Length;
            if ((checkFirstBlock || !firstBlock) && (field > limits.MaxFieldBytes || fields > limits.MaxFields || blockBytes > limits.MaxBytes))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The header block <paramref name="header"/> within <paramref name="limits"/>: every field cut
    /// to MaxFieldBytes (whole continuation lines are dropped; an over-long first line is cut), the
    /// fields in order while there are fewer than MaxFields and MaxBytes, after that only the first
    /// occurrence of each <see cref="StructuralFields"/> entry not already kept; always ending with
    /// the blank line.
    /// </summary>
    public static byte[] Compact(ReadOnlySpan<byte> header, HeaderLimits limits)
    {
        var output = new MemoryStream();
        var kept = new bool[StructuralFields.Length];
        long field = 0;
        int fields = 0;
        bool keep = false;
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
            if (!continuation)
            {
                int structural = StructuralIndex(line);
                keep = (fields < limits.MaxFields && output.Length < limits.MaxBytes) || (structural >= 0 && !kept[structural]);
                if (keep)
                {
                    fields++;
                    if (structural >= 0)
                    {
                        kept[structural] = true;
                    }
                }
            }

            field = continuation ? field + line.Length : line.Length;
            if (!keep)
            {
                continue;
            }

            if (field <= limits.MaxFieldBytes)
            {
                output.Write(line);
                if (line[^1] != (byte)'\n')
                {
                    output.Write("\r\n"u8);
                }
            }
            else if (!continuation)
            {
                output.Write(line[..limits.MaxFieldBytes]);
                output.Write("\r\n"u8);
            }
        }

        output.Write("\r\n"u8);
        return output.ToArray();
    }

    /// <summary>Which of <see cref="StructuralFields"/> the field starting <paramref name="line"/> is, or -1.</summary>
    private static int StructuralIndex(ReadOnlySpan<byte> line)
    {
        int colon = line[..Math.Min(line.Length, 32)].IndexOf((byte)':');
        if (colon <= 0)
        {
            return -1;
        }

        // Obsolete syntax allows white space before the colon (RFC 5322 4.5.3).
        var name = line[..colon].TrimEnd(" \t"u8);
        for (int k = 0; k < StructuralFields.Length; k++)
        {
            if (name.Length == StructuralFields[k].Length && System.Text.Ascii.EqualsIgnoreCase(name, StructuralFields[k]))
            {
                return k;
            }
        }

        return -1;
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
