using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Postern.Smtp.Delivery;

/// <summary>Builds the one trace header we prepend to each accepted message (RFC 5321 4.4).</summary>
internal static class ReceivedHeader
{
    private const string IdAlphabet = "0123456789bcdfghjklmnpqrstvwxyz";

    /// <summary>A short random queue id, also used in the 250 reply and in logs.</summary>
    public static string NewId()
    {
        Span<byte> random = stackalloc byte[12];
        RandomNumberGenerator.Fill(random);
        var sb = new StringBuilder(12);
        foreach (byte b in random)
        {
            sb.Append(IdAlphabet[b % IdAlphabet.Length]);
        }

        return sb.ToString();
    }

    /// <summary>
    /// The "with" protocol name: ESMTP plus S for TLS and A for authenticated (RFC 3848); the UTF8SMTP
    /// family when the transaction used SMTPUTF8 (RFC 6531 3.7.3); plain SMTP after HELO.
    /// </summary>
    public static string Protocol(bool esmtp, bool utf8, bool tls, bool authenticated)
    {
        if (!esmtp)
        {
            return "SMTP";
        }

        string name = utf8 ? "UTF8SMTP" : "ESMTP";
        return name + (tls ? "S" : "") + (authenticated ? "A" : "");
    }

    /// <summary>
    /// "Received: from HELO ([ip])\r\n\tby HOST with PROTO id ID;\r\n\tDATE\r\n". Folded before "by" and
    /// the date so no line comes near 998 octets whatever the HELO name (RFC 5322 2.1.1, 3.6.7).
    /// </summary>
    public static byte[] Build(string helo, IPAddress? remote, string hostname, string protocol, string id, DateTimeOffset now)
    {
        string tcpInfo = remote is null
            ? "unknown"
            : remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !remote.IsIPv4MappedToIPv6
                ? $"[IPv6:{remote}]"
                : $"[{(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)}]";
        string text = $"Received: from {helo} ({tcpInfo})\r\n\tby {hostname} with {protocol} id {id};\r\n\t{FormatDate(now)}\r\n";
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>RFC 5322 3.3 date-time, e.g. "Thu, 26 Nov 2026 13:42:13 +0000".</summary>
    public static string FormatDate(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return utc.ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
    }
}
