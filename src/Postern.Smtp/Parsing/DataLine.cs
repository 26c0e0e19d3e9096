namespace Postern.Smtp.Parsing;

/// <summary>
/// The rules for one line of DATA (RFC 5321 4.5.2 and 2.3.8), kept pure so the smuggling
/// defence can be tested without a connection.
/// </summary>
internal static class DataLine
{
    /// <summary>
    /// True only for the end-of-data mark: a "." line terminated by CRLF whose preceding line was
    /// also terminated by CRLF (the DATA command counts as that line). A "." ended by a bare LF, or
    /// after a line ended by a bare LF, is content: treating it as the end is exactly what
    /// SMTP smuggling (CVE-2023-51764/51765/51766) exploits when the sending server disagrees.
    /// </summary>
    public static bool IsEndOfData(ReadOnlySpan<byte> content, bool bareLineFeed, bool previousEndedWithCrlf) =>
        !bareLineFeed && previousEndedWithCrlf && content.Length == 1 && content[0] == (byte)'.';

    /// <summary>A CR not followed by LF anywhere in the line (the line's own CRLF is already stripped).</summary>
    public static bool HasBareCarriageReturn(ReadOnlySpan<byte> content) => content.Contains((byte)'\r');

    /// <summary>Transparency (RFC 5321 4.5.2): a leading "." that the client doubled is removed.</summary>
    public static ReadOnlySpan<byte> Unstuff(ReadOnlySpan<byte> content) =>
        content.Length > 0 && content[0] == (byte)'.' ? content[1..] : content;
}
