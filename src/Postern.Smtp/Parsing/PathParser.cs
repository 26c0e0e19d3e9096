using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postern.Smtp.Parsing;

/// <summary>Why a path was refused.</summary>
internal enum PathError
{
    None,
    Syntax,
    SourceRoute,
    TooLong,
}

/// <summary>
/// Parses the path of MAIL FROM / RCPT TO (RFC 5321 4.1.2, extended by RFC 6531 3.3 for UTF-8).
/// Pure: no I/O, no allocation beyond the result strings, no recursion.
/// </summary>
internal static class PathParser
{
    // RFC 5321 4.5.3.1: size limits in octets.
    public const int MaxLocalPart = 64;
    public const int MaxDomain = 255;
    public const int MaxPath = 256;
    private const int MaxLabel = 63;

    /// <summary>
    /// Parses "&lt;...&gt;" at the start of <paramref name="s"/>. On success <paramref name="consumed"/>
    /// is the index just after "&gt;".
    /// </summary>
    /// <param name="allowNull">MAIL accepts the null path "&lt;&gt;" (RFC 5321 4.5.5).</param>
    /// <param name="allowBarePostmaster">RCPT accepts "&lt;Postmaster&gt;" without a domain (RFC 5321 4.5.1).</param>
    public static PathError TryParse(string s, bool allowNull, bool allowBarePostmaster, out SmtpAddress address, out int consumed)
    {
        address = SmtpAddress.Null;
        consumed = 0;
        if (s.Length < 2 || s[0] != '<')
        {
            return PathError.Syntax;
        }

        int i = 1;
        if (s[i] == '@')
        {
            // A-d-l "@a,@b:" (RFC 5321 4.1.2). We refuse instead of ignoring it: a route names
            // hosts we will not relay through, and accepting it would hide the real target.
            return PathError.SourceRoute;
        }

        if (s[i] == '>')
        {
            consumed = 2;
            return allowNull ? PathError.None : PathError.Syntax;
        }

        bool nonAscii = false;
        int localStart = i;
        if (!ScanLocalPart(s, ref i, ref nonAscii))
        {
            return PathError.Syntax;
        }

        string local = s[localStart..i];
        if (Encoding.UTF8.GetByteCount(local) > MaxLocalPart)
        {
            return PathError.TooLong;
        }

        string domain = "";
        if (i < s.Length && s[i] == '@')
        {
            i++;
            int domainStart = i;
            if (i < s.Length && s[i] == '[')
            {
                if (!ScanAddressLiteral(s, ref i))
                {
                    return PathError.Syntax;
                }
            }
            else if (!ScanDomain(s, ref i, ref nonAscii))
            {
                return PathError.Syntax;
            }

            domain = s[domainStart..i];
            if (Encoding.UTF8.GetByteCount(domain) > MaxDomain)
            {
                return PathError.TooLong;
            }
        }
        else if (!(allowBarePostmaster && string.Equals(local, "postmaster", StringComparison.OrdinalIgnoreCase)))
        {
            return PathError.Syntax;
        }

        if (i >= s.Length || s[i] != '>')
        {
            return PathError.Syntax;
        }

        consumed = i + 1;
        if (Encoding.UTF8.GetByteCount(s.AsSpan(0, consumed)) > MaxPath)
        {
            return PathError.TooLong;
        }

        address = new SmtpAddress(Unquote(local), domain, nonAscii);
        return PathError.None;
    }

    /// <summary>
    /// RFC 5322 3.4.1 / RFC 5321 4.1.2: the quotes of a quoted local part carry no meaning, so
    /// "bob"@example.org and bob@example.org are the same mailbox. A quoted local part whose
    /// content is a valid Dot-string is returned unquoted, so that account lookups and the sender
    /// check see one spelling (Postfix canonicalises the same way); any other quoted content (with
    /// "@", spaces, ...) stays quoted and so can never match an account or a route.
    /// </summary>
    internal static string Unquote(string local)
    {
        if (local.Length < 2 || local[0] != '"')
        {
            return local;
        }

        var content = new StringBuilder(local.Length);
        for (int i = 1; i < local.Length - 1; i++)
        {
            if (local[i] == '\\')
            {
                i++;
            }

            content.Append(local[i]);
        }

        string text = content.ToString();
        int end = 0;
        bool ignored = false;
        return ScanLocalPart(text, ref end, ref ignored) && end == text.Length ? text : local;
    }

    /// <summary>Dot-string or Quoted-string (RFC 5321 4.1.2).</summary>
    private static bool ScanLocalPart(string s, ref int i, ref bool nonAscii)
    {
        if (i < s.Length && s[i] == '"')
        {
            i++;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '"')
                {
                    i++;
                    return true;
                }

                if (c == '\\')
                {
                    // quoted-pairSMTP = "\" %d32-126
                    if (i + 1 >= s.Length || s[i + 1] < 32 || s[i + 1] > 126)
                    {
                        return false;
                    }

                    i += 2;
                    continue;
                }

                // qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus UTF8-non-ascii (RFC 6531 3.3)
                if (c >= 0x80)
                {
                    nonAscii = true;
                }
                else if (c < 32 || c > 126)
                {
                    return false;
                }

                i++;
            }

            return false;
        }

        // Dot-string = Atom *("." Atom): no leading, trailing or doubled dots.
        bool needAtom = true;
        int start = i;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '.')
            {
                if (needAtom)
                {
                    return false;
                }

                needAtom = true;
                i++;
                continue;
            }

            if (!IsAtext(c, ref nonAscii))
            {
                break;
            }

            needAtom = false;
            i++;
        }

        return i > start && !needAtom;
    }

    /// <summary>atext (RFC 5322 3.2.3) plus UTF8-non-ascii (RFC 6531 3.3).</summary>
    private static bool IsAtext(char c, ref bool nonAscii)
    {
        if (c >= 0x80)
        {
            // The line was decoded strictly, so this is real UTF-8 text; C1 controls stay out.
            if (c < 0xA0 || char.IsControl(c))
            {
                return false;
            }

            nonAscii = true;
            return true;
        }

        return char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c);
    }

    /// <summary>Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (RFC 5321 4.1.2), U-labels allowed.</summary>
    private static bool ScanDomain(string s, ref int i, ref bool nonAscii)
    {
        int labelStart = i;
        while (true)
        {
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '-' || (s[i] >= 0xA0 && !char.IsControl(s[i]))))
            {
                if (s[i] >= 0x80)
                {
                    nonAscii = true;
                }

                i++;
            }

            int len = i - labelStart;
            if (len == 0 || len > MaxLabel || s[labelStart] == '-' || s[i - 1] == '-')
            {
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                labelStart = i;
                continue;
            }

            return true;
        }
    }

    /// <summary>address-literal: "[" IPv4 "]" or "[IPv6:" IPv6 "]" (RFC 5321 4.1.3). General literals are refused.</summary>
    private static bool ScanAddressLiteral(string s, ref int i)
    {
        int close = s.IndexOf(']', i);
        if (close < 0)
        {
            return false;
        }

        var inner = s.AsSpan(i + 1, close - i - 1);
        bool ok;
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            ok = IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && !inner.Contains('%');
        }
        else
        {
            ok = inner.Count('.') == 3 && IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork;
        }

        if (!ok)
        {
            return false;
        }

        i = close + 1;
        return true;
    }

    /// <summary>
    /// Validates the EHLO/HELO argument (RFC 5321 4.1.1.1: Domain or address-literal). It ends up in
    /// the Received header, so only the RFC grammar is let through.
    /// </summary>
    public static bool IsValidHeloName(string s)
    {
        if (s.Length is 0 or > MaxDomain)
        {
            return false;
        }

        int i = 0;
        bool nonAscii = false;
        bool ok = s[0] == '[' ? ScanAddressLiteral(s, ref i) : ScanDomainLenient(s, ref i);
        return ok && i == s.Length && !nonAscii;
    }

    /// <summary>Like <see cref="ScanDomain"/> but ASCII only and tolerating "_" (common in Windows host names).</summary>
    private static bool ScanDomainLenient(string s, ref int i)
    {
        int labelStart = i;
        while (true)
        {
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '_'))
            {
                i++;
            }

            if (i - labelStart is 0 or > MaxLabel || s[labelStart] == '-' || s[i - 1] == '-')
            {
                return false;
            }

            if (i < s.Length && s[i] == '.')
            {
                i++;
                labelStart = i;
                if (i == s.Length)
                {
                    // A trailing dot (fully qualified form) is harmless.
                    return true;
                }

                continue;
            }

            return true;
        }
    }
}
