using System.Text;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Generators for the malicious messages of issue 5 point 4. Each stays under a few MB so the
/// suite stays fast; each carries the word "needle" somewhere for SEARCH TEXT to look for.
/// </summary>
public static class HostileMessages
{
    private static StringBuilder Top(string subject, string contentType) => new StringBuilder()
        .Append("From: Mallory <mallory@remote.test>\r\n")
        .Append("To: victim@example.test\r\n")
        .Append("Subject: ").Append(subject).Append("\r\n")
        .Append("Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n")
        .Append("Message-ID: <").Append(Guid.NewGuid().ToString("N")).Append("@remote.test>\r\n")
        .Append("MIME-Version: 1.0\r\n")
        .Append("Content-Type: ").Append(contentType).Append("\r\n\r\n");

    /// <summary>multipart/mixed inside multipart/mixed, <paramref name="depth"/> levels, each with its own boundary.</summary>
    public static byte[] NestedMultipart(int depth)
    {
        var sb = Top("nested multipart", "multipart/mixed; boundary=\"b0\"");
        for (int i = 0; i < depth; i++)
        {
            sb.Append("--b").Append(i).Append("\r\nContent-Type: multipart/mixed; boundary=\"b").Append(i + 1).Append("\"\r\n\r\n");
        }

        sb.Append("--b").Append(depth).Append("\r\nContent-Type: text/plain\r\n\r\nneedle at the bottom\r\n--b").Append(depth).Append("--\r\n");
        for (int i = depth - 1; i >= 0; i--)
        {
            sb.Append("--b").Append(i).Append("--\r\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>message/rfc822 inside message/rfc822, <paramref name="depth"/> levels.</summary>
    public static byte[] NestedRfc822(int depth)
    {
        var sb = Top("nested rfc822", "message/rfc822");
        for (int i = 0; i < depth; i++)
        {
            sb.Append("Subject: level ").Append(i).Append("\r\nFrom: l").Append(i).Append("@remote.test\r\nContent-Type: message/rfc822\r\n\r\n");
        }

        sb.Append("Subject: bottom\r\n\r\nneedle at the bottom\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>One multipart with <paramref name="parts"/> tiny parts.</summary>
    public static byte[] ManyParts(int parts)
    {
        var sb = Top("many parts", "multipart/mixed; boundary=\"p\"");
        for (int i = 0; i < parts; i++)
        {
            sb.Append("--p\r\n\r\nx\r\n");
        }

        sb.Append("--p\r\n\r\nneedle\r\n--p--\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary><paramref name="lines"/> header fields before the body.</summary>
    public static byte[] ManyHeaderLines(int lines)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            sb.Append("X: v\r\n");
        }

        sb.Append(Top("many header lines", "text/plain")).Append("needle\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>A Subject and a To field of several MB each, folded into legal 78-character lines.</summary>
    public static byte[] HugeFoldedHeaders(int bytes)
    {
        var sb = new StringBuilder("From: Mallory <mallory@remote.test>\r\nSubject: start");
        int count = 0;
        while (sb.Length < bytes / 2)
        {
            sb.Append("\r\n aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ").Append(count++);
        }

        sb.Append("\r\nTo: a0@remote.test");
        for (int i = 1; sb.Length < bytes; i++)
        {
            sb.Append(",\r\n a").Append(i).Append("@remote.test");
        }

        sb.Append("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nneedle\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>One header line of <paramref name="bytes"/> octets, not folded at all.</summary>
    public static byte[] HugeHeaderLine(int bytes)
    {
        var sb = Top("huge line", "text/plain");
        sb.Insert(0, "X-Huge: " + new string('h', bytes) + "\r\n");
        sb.Append("needle\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>Every broken boundary and encoding we could think of, in one message.</summary>
    public static byte[] BrokenBoundariesAndEncodings()
    {
        var sb = Top("=?utf-8?B?%%%not base64%%%?= =?x-no-such-charset?Q?caf=E9?= =?utf-8?Q?unterminated", "multipart/mixed; boundary=\"outer\"");
        sb.Append("preamble\r\n");
        // A part whose boundary parameter is missing entirely.
        sb.Append("--outer\r\nContent-Type: multipart/alternative\r\n\r\n--\r\n--x\r\n");
        // A part that reuses its parent's boundary.
        sb.Append("--outer\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
        // Base64 that is not base64, quoted-printable with bad escapes, an unknown charset.
        sb.Append("--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!%%%%needle****====\r\n");
        sb.Append("--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=\r\nneedle=4\r\n");
        sb.Append("--outer\r\nContent-Type: text/plain; charset=x-no-such-charset\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nneedle\r\n");
        // Thousands of parameters and an RFC 2231 continuation in thousands of segments (each
        // field stays under ParsedMessage.MaxHeaderFieldBytes, so MimeKit itself must cope).
        sb.Append("--outer\r\nContent-Type: application/octet-stream");
        for (int i = 0; i < 2000; i++)
        {
            sb.Append(";\r\n p").Append(i).Append("=v");
        }

        sb.Append("\r\nContent-Disposition: attachment");
        for (int i = 0; i < 2000; i++)
        {
            sb.Append(";\r\n filename*").Append(i).Append("*=utf-8''%E2%82");
        }

        sb.Append("\r\n\r\nAAAA\r\n");
        // A multipart with a boundary that never appears, and an outer one never closed.
        sb.Append("--outer\r\nContent-Type: multipart/mixed; boundary=\"never\"\r\n\r\nneedle\r\n");
        sb.Append("--outer\r\nContent-Type: message/rfc822\r\n\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>A message that has been around: <paramref name="hops"/> Received fields.</summary>
    public static byte[] Looping(int hops)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < hops; i++)
        {
            sb.Append("Received: from relay").Append(i).Append(".remote.test by relay").Append(i + 1).Append(".remote.test; Thu, 01 Jan 2026 00:00:00 +0000\r\n");
        }

        sb.Append(Top("loop", "text/plain")).Append("needle\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>Dot-stuffs for DATA (RFC 5321 4.5.2) and appends the end-of-data mark.</summary>
    public static byte[] ForData(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message);
        if (text.StartsWith('.'))
        {
            text = "." + text;
        }

        text = text.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        return Encoding.Latin1.GetBytes(text + ".\r\n");
    }
}
