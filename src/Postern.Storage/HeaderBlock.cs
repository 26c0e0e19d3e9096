namespace Postern.Storage;

/// <summary>
/// Finding a message's header block: the lines up to and including the first empty line
/// (RFC 5322 2.1). Header searches and caches need only this part, which is a few KiB of a
/// message that may be megabytes.
/// </summary>
public static class HeaderBlock
{
    /// <summary>Header blocks up to this size are kept in a store's header cache; longer ones are read from the body.</summary>
    public const int MaxCached = 64 * 1024;

    /// <summary>Header blocks longer than this are read (and searched) as far as this only.</summary>
    public const int MaxRead = 256 * 1024;

    /// <summary>The offset just past the blank line ending the header block, or -1 if it is not in <paramref name="data"/>.</summary>
    /// <param name="from">Where to start looking (bytes before it were already searched).</param>
    public static int End(ReadOnlySpan<byte> data, int from = 0)
    {
        // A message that starts with the blank line has an empty header section.
        if (data.StartsWith("\r\n"u8))
        {
            return 2;
        }

        if (data.StartsWith("\n"u8))
        {
            return 1;
        }

        for (int i = Math.Max(0, from); i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            if (i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (i + 2 < data.Length && data[i + 1] == (byte)'\r' && data[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    /// <summary>
    /// Reads the header block from the start of <paramref name="stream"/>: up to the blank line, or
    /// everything when there is none, but never more than <paramref name="max"/> bytes.
    /// </summary>
    public static async Task<byte[]> ReadAsync(Stream stream, int max, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[Math.Min(8192, max)];
        int length = 0;
        int scanned = 0;
        while (length < max)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, max));
            }

            int n = await stream.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            length += n;

            // Back up: the blank line may straddle two reads.
            int end = End(buffer.AsSpan(0, length), scanned - 3);
            if (end >= 0)
            {
                return buffer.AsSpan(0, end).ToArray();
            }

            scanned = length;
        }

        return buffer.AsSpan(0, length).ToArray();
    }
}
