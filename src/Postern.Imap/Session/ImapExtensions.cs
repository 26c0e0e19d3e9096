namespace Postern.Imap.Session;

/// <summary>
/// Extensions a client turns on with ENABLE (RFC 5161). Each changes what the server may send,
/// so a session only behaves differently once the client has asked.
/// </summary>
[Flags]
public enum ImapExtensions
{
    None = 0,

    /// <summary>RFC 7162 3.1: MODSEQ in FETCH responses, HIGHESTMODSEQ in SELECT.</summary>
    CondStore = 1,

    /// <summary>RFC 7162 3.2: VANISHED instead of EXPUNGE; implies CONDSTORE.</summary>
    QResync = 2,

    /// <summary>RFC 9051: the rev2 behaviour (ESEARCH replies, UTF-8 names, no RECENT).</summary>
    Imap4Rev2 = 4,

    /// <summary>RFC 6855: UTF-8 mailbox names and message headers.</summary>
    Utf8Accept = 8,
}

/// <summary>The names ENABLE accepts, and what each turns on.</summary>
public static class Enableable
{
    /// <summary>
    /// Name → extension, only for what this server implements. An extension not in this table is
    /// ignored by ENABLE, as RFC 5161 3.1 requires for unknown names.
    /// </summary>
    public static readonly Dictionary<string, ImapExtensions> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CONDSTORE"] = ImapExtensions.CondStore,

        // RFC 7162 3.2.3: enabling QRESYNC enables CONDSTORE too.
        ["QRESYNC"] = ImapExtensions.QResync | ImapExtensions.CondStore,
        ["IMAP4rev2"] = ImapExtensions.Imap4Rev2,
        ["UTF8=ACCEPT"] = ImapExtensions.Utf8Accept,
    };

    /// <summary>The canonical spelling of each name, as "* ENABLED" echoes it.</summary>
    public static string Canonical(string name) => Names.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name.ToUpperInvariant();
}
