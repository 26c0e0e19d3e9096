namespace Postern.Imap.Parsing;

/// <summary>Finds the "{n}" / "{n+}" literal announcement that ends a command line (RFC 3501 4.3, RFC 7888).</summary>
public static class LiteralMarker
{
    /// <summary>Ten digits hold any size a 32-bit length can; more is nonsense.</summary>
    private const int MaxDigits = 10;

    /// <summary>True when <paramref name="line"/> (without CRLF) ends with a literal marker.</summary>
    public static bool TryFindAtEnd(ReadOnlySpan<byte> line, out long size, out bool nonSync)
    {
        size = 0;
        nonSync = false;
        if (line.Length < 3 || line[^1] != (byte)'}')
        {
            return false;
        }

        int open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        return TryParseAt(line, open + 1, out size, out nonSync, out int after, out _) && after == line.Length;
    }

    /// <summary>
    /// Parses "digits [+] }" starting at <paramref name="start"/> (just after "{").
    /// <paramref name="complete"/> is false when the input ended before the marker did.
    /// </summary>
    public static bool TryParseAt(ReadOnlySpan<byte> input, int start, out long size, out bool nonSync, out int after, out bool complete)
    {
        size = 0;
        nonSync = false;
        after = start;
        complete = true;
        int j = start;
        while (j < input.Length && input[j] is >= (byte)'0' and <= (byte)'9')
        {
            if (j - start >= MaxDigits)
            {
                return false;
            }

            size = size * 10 + (input[j] - '0');
            j++;
        }

        if (j == input.Length)
        {
            complete = false;
            return false;
        }

        if (j == start)
        {
            return false;
        }

        if (input[j] == (byte)'+')
        {
            nonSync = true;
            j++;
            if (j == input.Length)
            {
                complete = false;
                return false;
            }
        }

        if (input[j] != (byte)'}')
        {
            return false;
        }

        after = j + 1;
        return true;
    }
}
