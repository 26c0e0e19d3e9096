namespace Postern.Smtp.Parsing;

/// <summary>A mailbox from a MAIL or RCPT path. The null reverse-path "&lt;&gt;" has empty parts.</summary>
/// <param name="LocalPart">As written, quotes included when it was a quoted string.</param>
/// <param name="Domain">A domain name or an address literal in brackets; empty for the null path and for bare "postmaster".</param>
/// <param name="HasNonAscii">True when any part uses UTF-8 beyond ASCII (allowed only with SMTPUTF8, RFC 6531 3.3).</param>
internal sealed record SmtpAddress(string LocalPart, string Domain, bool HasNonAscii)
{
    public static readonly SmtpAddress Null = new("", "", false);

    public bool IsNull => LocalPart.Length == 0;

    public bool IsAddressLiteral => Domain.StartsWith('[');

    /// <summary>"postmaster" without a domain, which RFC 5321 4.5.1 requires every server to accept as RCPT.</summary>
    public bool IsBarePostmaster => Domain.Length == 0 && LocalPart.Length > 0;

    public override string ToString() => IsNull ? "" : Domain.Length == 0 ? LocalPart : $"{LocalPart}@{Domain}";
}
