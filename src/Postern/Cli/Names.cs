using System.Globalization;

namespace Postern.Cli;

/// <summary>Checks domain names and addresses typed on the command line, with one-sentence errors.</summary>
public static class Names
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Returns the domain in lower-case ASCII (IDNs as punycode) or throws <see cref="UserError"/>.</summary>
    public static string Domain(string text)
    {
        string d = text.Trim().TrimEnd('.');
        string ascii;
        try
        {
            ascii = Idn.GetAscii(d).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            throw new UserError($"'{text}' is not a valid domain name.");
        }

        if (ascii.Length is 0 or > 253 || ascii.Split('.').Any(l => l.Length is 0 or > 63))
        {
            throw new UserError($"'{text}' is not a valid domain name.");
        }

        return ascii;
    }

    /// <summary>Returns the address as local@domain with the domain normalised, or throws <see cref="UserError"/>.</summary>
    public static string Address(string text)
    {
        string a = text.Trim();
        int at = a.LastIndexOf('@');
        if (at <= 0 || at == a.Length - 1)
        {
            throw new UserError($"'{text}' is not an email address (expected name@domain).");
        }

        string local = a[..at];
        if (local.Length > 64 || local.Any(c => c <= ' ' || c == 0x7f || "\"(),:;<>@[\\]".Contains(c)) || local.StartsWith('.') || local.EndsWith('.') || local.Contains(".."))
        {
            throw new UserError($"'{text}' has a local part that Postern does not accept (letters, digits and .!#$%&'*+-/=?^_`{{|}}~ only, at most 64).");
        }

        return $"{local.ToLowerInvariant()}@{Domain(a[(at + 1)..])}";
    }
}
