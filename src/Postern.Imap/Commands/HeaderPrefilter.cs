using Postern.Imap.Parsing;

namespace Postern.Imap.Commands;

/// <summary>
/// Rules a message out of a header SEARCH from its raw header block, without MIME-parsing it.
/// Parsing every header block is most of the cost of SEARCH SUBJECT on a large mailbox, and
/// most messages do not match.
/// </summary>
/// <remarks>
/// Sound only in one direction: it says "cannot match" when the needle does not occur in the raw
/// block at all. A parsed header value is the raw text unfolded (CRLF removed, RFC 5322 2.2.3) with
/// encoded-words (RFC 2047) and 8-bit charsets decoded; so when the block has neither "=?" nor
/// non-ASCII bytes and the needle is ASCII, a value containing the needle implies a raw block
/// containing it once CR and LF are skipped. Anything else is left to the full evaluation.
/// </remarks>
public static class HeaderPrefilter
{
    /// <summary>True when <paramref name="key"/> certainly does not match a message with this header block.</summary>
    public static bool Excludes(SearchKey key, ReadOnlySpan<byte> header)
    {
        switch (key.Kind)
        {
            case SearchKind.And:
                foreach (var child in key.Children)
                {
                    if (Excludes(child, header))
                    {
                        return true;
                    }
                }

                return false;
            case SearchKind.Header when key.Value.Length > 0 && IsAscii(key.Value) && IsPlain(header):
                return !ContainsIgnoringCaseAndLineBreaks(header, key.Value);
            case SearchKind.Address when key.Value.Length > 0 && IsAscii(key.Value) && IsPlain(header) && header.IndexOf((byte)'(') < 0:
                // A parsed address or name is its raw text less white space, quotes and backslashes
                // (and comments, ruled out by the missing "("), so skipping those on both sides
                // keeps every possible match; the raw-text match is covered by the same test.
                return !ContainsIgnoringCaseAndLineBreaks(header, Squeeze(key.Value), Squeezed);
            default:
                return false;
        }
    }

    private static bool IsAscii(string s)
    {
        foreach (char c in s)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>No 8-bit bytes and no encoded-word opener: the decoded text is the raw text.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> header) =>
        !header.ContainsAnyInRange((byte)0x80, (byte)0xff) && header.IndexOf("=?"u8) < 0;

    /// <summary>What an address key's comparison skips: white space, quotes and quoted-pair backslashes.</summary>
    private static bool Squeezed(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'"' or (byte)'\\';

    private static string Squeeze(string value) => string.Concat(value.Where(c => c >= 0x80 || !Squeezed((byte)c)));

    /// <summary>ASCII case-insensitive substring search that skips CR and LF in the haystack (folded lines).</summary>
    public static bool ContainsIgnoringCaseAndLineBreaks(ReadOnlySpan<byte> haystack, string needle) =>
        ContainsIgnoringCaseAndLineBreaks(haystack, needle, static _ => false);

    /// <summary>Like the above, also skipping the haystack bytes <paramref name="skip"/> accepts; an empty needle is found anywhere.</summary>
    private static bool ContainsIgnoringCaseAndLineBreaks(ReadOnlySpan<byte> haystack, string needle, Func<byte, bool> skip)
    {
        if (needle.Length == 0)
        {
            return true;
        }

        byte first = Lower((byte)needle[0]);
        for (int start = 0; start < haystack.Length; start++)
        {
            if (Lower(haystack[start]) != first)
            {
                continue;
            }

            int h = start + 1;
            int n = 1;
            while (n < needle.Length && h < haystack.Length)
            {
                byte b = haystack[h];
                if (b is (byte)'\r' or (byte)'\n' || skip(b))
                {
                    h++;
                    continue;
                }

                if (Lower(b) != Lower((byte)needle[n]))
                {
                    break;
                }

                h++;
                n++;
            }

            if (n == needle.Length)
            {
                return true;
            }
        }

        return false;
    }

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
