namespace Postern.Net.Diagnostics;

/// <summary>
/// Reads just enough of a TLS ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) to learn the highest
/// protocol version the client offers. Every length is checked against the bytes we have; anything
/// malformed or truncated gives null, never an exception.
/// </summary>
public static class ClientHello
{
    /// <summary>TLS record content type "handshake" (RFC 8446 5.1).</summary>
    public const byte HandshakeRecord = 0x16;

    /// <summary>True when <paramref name="bytes"/> start like a TLS handshake record (any SSL 3.0+ version).</summary>
    public static bool LooksLikeTls(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] == HandshakeRecord && bytes[1] == 0x03 && bytes[2] <= 0x04;

    /// <summary>
    /// The highest version offered as the two-byte wire value (0x0301 TLS 1.0 … 0x0304 TLS 1.3), from
    /// supported_versions when present (RFC 8446 4.2.1), else from legacy_version.
    /// </summary>
    public static int? HighestOfferedVersion(ReadOnlySpan<byte> bytes)
    {
        if (!LooksLikeTls(bytes) || bytes.Length < 5 + 4 + 2 + 32 + 1)
        {
            return null;
        }

        var hello = bytes[5..];
        if (hello[0] != 0x01)
        {
            return null; // not a ClientHello
        }

        int legacy = (hello[4] << 8) | hello[5];
        int pos = 4 + 2 + 32;
        if (!Skip(hello, ref pos, 1) || !Skip(hello, ref pos, 2) || !Skip(hello, ref pos, 1))
        {
            return legacy;
        }

        if (pos + 2 > hello.Length)
        {
            return legacy; // no extensions: a TLS 1.2-or-older hello
        }

        int extEnd = Math.Min(hello.Length, pos + 2 + ((hello[pos] << 8) | hello[pos + 1]));
        pos += 2;
        while (pos + 4 <= extEnd)
        {
            int type = (hello[pos] << 8) | hello[pos + 1];
            int len = (hello[pos + 2] << 8) | hello[pos + 3];
            pos += 4;
            if (pos + len > extEnd)
            {
                break;
            }

            if (type == 0x002b && len >= 1)
            {
                int best = 0;
                int listLen = Math.Min(hello[pos], len - 1);
                for (int i = pos + 1; i + 1 < pos + 1 + listLen; i += 2)
                {
                    int v = (hello[i] << 8) | hello[i + 1];
                    // GREASE values (RFC 8701) look like 0x?a?a and are not versions.
                    if ((v & 0x0f0f) != 0x0a0a && v > best)
                    {
                        best = v;
                    }
                }

                return best == 0 ? legacy : best;
            }

            pos += len;
        }

        return legacy;
    }

    /// <summary>Skips a vector whose length prefix is <paramref name="prefix"/> bytes long.</summary>
    private static bool Skip(ReadOnlySpan<byte> s, ref int pos, int prefix)
    {
        if (pos + prefix > s.Length)
        {
            return false;
        }

        int len = prefix == 1 ? s[pos] : (s[pos] << 8) | s[pos + 1];
        pos += prefix + len;
        return pos <= s.Length;
    }

    /// <summary>"TLS 1.1" for 0x0302 and so on.</summary>
    public static string Name(int version) => version switch
    {
        0x0300 => "SSL 3.0",
        0x0301 => "TLS 1.0",
        0x0302 => "TLS 1.1",
        0x0303 => "TLS 1.2",
        0x0304 => "TLS 1.3",
        _ => $"0x{version:x4}",
    };
}
