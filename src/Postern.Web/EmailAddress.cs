using System.Globalization;

namespace Postern.Web;

/// <summary>An address from a request (query string or Autodiscover body), checked like the CLI checks it.</summary>
public sealed record EmailAddress(string Address, string Domain)
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Null if the text is not name@domain with a sane local part and a valid domain (RFC 5321 section 4.5.3.1 sizes).</summary>
    public static EmailAddress? TryParse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string a = text.Trim();
        int at = a.LastIndexOf('@');
        if (a.Length > 254 || at <= 0 || at == a.Length - 1)
        {
            return null;
        }

        string local = a[..at];
        if (local.Length > 64 || local.Any(c => c <= ' ' || c >= 0x7f || "\"(),:;<>@[\\]".Contains(c)) || local.StartsWith('.') || local.EndsWith('.') || local.Contains(".."))
        {
            return null;
        }

        string? domain = TryDomain(a[(at + 1)..]);
        return domain is null ? null : new EmailAddress($"{local.ToLowerInvariant()}@{domain}", domain);
    }

    /// <summary>The domain in lower-case ASCII (IDNs as punycode), or null.</summary>
    public static string? TryDomain(string text)
    {
        string d = text.Trim().TrimEnd('.');
        try
        {
            d = Idn.GetAscii(d).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        return d.Length is 0 or > 253 || d.Split('.').Any(l => l.Length is 0 or > 63) ? null : d;
    }
}
