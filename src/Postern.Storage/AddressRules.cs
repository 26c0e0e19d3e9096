namespace Postern.Storage;

/// <summary>
/// The domain names and account addresses every store accepts, and their normal form: they are
/// compared lowercased (invariant culture); a store never makes them part of a file name.
/// </summary>
public static class AddressRules
{
    // RFC 5321 4.5.3.1: domain up to 255 octets, local part up to 64; a path up to 256 incl. <>.
    private const int MaxDomainLength = 255;
    private const int MaxLocalPartLength = 64;

    /// <summary>Lowercased domain, or null if it cannot be a domain name.</summary>
    public static string? TryDomain(string? domain)
    {
        if (string.IsNullOrEmpty(domain) || domain.Length > MaxDomainLength || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains(".."))
        {
            return null;
        }

        foreach (char c in domain)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '@' or '/' or '\\' or '<' or '>' or '[' or ']' or '"')
            {
                return null;
            }
        }

        return domain.ToLowerInvariant();
    }

    public static string Domain(string domain, string paramName) =>
        TryDomain(domain) ?? throw new ArgumentException($"'{Shorten(domain)}' is not a valid domain name.", paramName);

    /// <summary>Lowercased address and its domain, or null if it is not local-part@domain.</summary>
    public static (string Address, string Domain)? TryAddress(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return null;
        }

        int at = address.LastIndexOf('@');
        if (at <= 0 || at > MaxLocalPartLength)
        {
            return null;
        }

        string? domain = TryDomain(address[(at + 1)..]);
        if (domain is null)
        {
            return null;
        }

        foreach (char c in address.AsSpan(0, at))
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return null;
            }
        }

        return (address[..at].ToLowerInvariant() + "@" + domain, domain);
    }

    public static (string Address, string Domain) Address(string address, string paramName) =>
        TryAddress(address) ?? throw new ArgumentException($"'{Shorten(address)}' is not a valid mail address (local-part@domain).", paramName);

    // Admin input only (CLI), but keep messages one readable line.
    private static string Shorten(string? s) =>
        s is null ? "" : new string([.. s.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
