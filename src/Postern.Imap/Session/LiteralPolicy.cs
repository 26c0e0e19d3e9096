namespace Postern.Imap.Session;

/// <summary>
/// Which non-synchronising literals ({n+}) the server accepts (RFC 7888).
/// </summary>
/// <remarks>
/// LITERAL+ (the default) accepts {n+} of any size up to our ordinary limits; LITERAL- accepts
/// only {n+} of at most 4096 octets (RFC 7888 4). LITERAL+ is a strict superset, so a server
/// advertises one or the other, never both: a client seeing both could not know which limit holds
/// (and RFC 9051 7.2.2 lets a rev2 client rely on LITERAL- semantics either way). With
/// <see cref="ImapOptions.LiteralMinus"/> an operator can choose LITERAL- to make clients wait for
/// "+" before large literals, so the server can refuse them without reading them.
/// </remarks>
public static class LiteralPolicy
{
    /// <summary>RFC 7888 4: the largest non-synchronising literal a LITERAL- server accepts.</summary>
    public const int LiteralMinusLimit = 4096;

    public static string Capability(ImapOptions options) => options.LiteralMinus ? "LITERAL-" : "LITERAL+";

    /// <summary>True when a {n+} of this size breaks LITERAL- and must be refused with BAD (RFC 7888 4).</summary>
    public static bool Refuses(ImapOptions options, long size, bool nonSync) =>
        options.LiteralMinus && nonSync && size > LiteralMinusLimit;
}
