using System.Text;

namespace Postern.Imap.Parsing;

/// <summary>
/// Modified UTF-7 for mailbox names on the wire (RFC 3501 5.1.3): printable US-ASCII stands for
/// itself, "&amp;-" is "&amp;", and "&amp;...-" is UTF-16BE in base64 with "," for "/" and no padding.
/// Internally names are plain UTF-8 strings.
/// </summary>
public static class ModifiedUtf7
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    public static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length);
        int i = 0;
        while (i < name.Length)
        {
            char c = name[i];
            if (c == '&')
            {
                sb.Append("&-");
                i++;
            }
            else if (c >= 0x20 && c <= 0x7e)
            {
                sb.Append(c);
                i++;
            }
            else
            {
                int start = i;
                while (i < name.Length && (name[i] < 0x20 || name[i] > 0x7e))
                {
                    i++;
                }

                var bytes = Encoding.BigEndianUnicode.GetBytes(name[start..i]);
                sb.Append('&');
                int bits = 0, buffer = 0;
                foreach (byte b in bytes)
                {
                    buffer = (buffer << 8) | b;
                    bits += 8;
                    while (bits >= 6)
                    {
                        bits -= 6;
                        sb.Append(Alphabet[(buffer >> bits) & 0x3f]);
                    }
                }

                if (bits > 0)
                {
                    sb.Append(Alphabet[(buffer << (6 - bits)) & 0x3f]);
                }

                sb.Append('-');
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Decodes a wire name; false when it is not valid modified UTF-7: 8-bit or control characters,
    /// a bad base64 character, leftover bits that are not zero, an odd byte count, a lone surrogate,
    /// printable ASCII or two runs back to back encoded in base64 (RFC 3501 5.1.3 forbids both).
    /// </summary>
    public static bool TryDecode(string wire, out string name)
    {
        name = "";
        var sb = new StringBuilder(wire.Length);
        int i = 0;
        bool lastWasEncoded = false;
        while (i < wire.Length)
        {
            char c = wire[i];
            if (c < 0x20 || c > 0x7e)
            {
                return false;
            }

            if (c != '&')
            {
                sb.Append(c);
                i++;
                lastWasEncoded = false;
                continue;
            }

            int end = wire.IndexOf('-', i + 1);
            if (end < 0)
            {
                return false;
            }

            if (end == i + 1)
            {
                sb.Append('&');
                i = end + 1;
                lastWasEncoded = false;
                continue;
            }

            if (lastWasEncoded)
            {
                return false;
            }

            var bytes = new List<byte>();
            int bits = 0, buffer = 0;
            for (int j = i + 1; j < end; j++)
            {
                int v = Alphabet.IndexOf(wire[j], StringComparison.Ordinal);
                if (v < 0)
                {
                    return false;
                }

                buffer = ((buffer << 6) | v) & 0xffffff;
                bits += 6;
                if (bits >= 8)
                {
                    bits -= 8;
                    bytes.Add((byte)(buffer >> bits));
                }
            }

            if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || bytes.Count % 2 != 0)
            {
                return false;
            }

            for (int k = 0; k < bytes.Count; k += 2)
            {
                char u = (char)((bytes[k] << 8) | bytes[k + 1]);
                if (u >= 0x20 && u <= 0x7e)
                {
                    return false;
                }

                sb.Append(u);
            }

            i = end + 1;
            lastWasEncoded = true;
        }

        string result = sb.ToString();
        // Surrogates must pair up; a lone half is not text.
        for (int k = 0; k < result.Length; k++)
        {
            if (char.IsHighSurrogate(result[k]) && k + 1 < result.Length && char.IsLowSurrogate(result[k + 1]))
            {
                k++;
            }
            else if (char.IsSurrogate(result[k]))
            {
                return false;
            }
        }

        name = result;
        return true;
    }
}
