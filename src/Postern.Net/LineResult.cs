namespace Postern.Net;

/// <summary>What <see cref="MailConnection.ReadLineAsync"/> found.</summary>
public enum LineStatus
{
    /// <summary>A complete line ended by CRLF (or by a bare LF, see <see cref="LineResult.BareLineFeed"/>).</summary>
    Line,

    /// <summary>
    /// The line exceeded the limit; its bytes up to the next LF were read and thrown away.
    /// <see cref="LineResult.Bytes"/> holds its first bytes (up to <see cref="MailConnection.TooLongPrefixLength"/>)
    /// and <see cref="LineResult.BareLineFeed"/> tells how it ended.
    /// </summary>
    TooLong,

    /// <summary>The peer closed the connection before a complete line arrived.</summary>
    Closed,
}

/// <summary>One line read from a connection, without its line ending.</summary>
/// <remarks>
/// <see cref="Bytes"/> points into the connection's buffer and is valid only until the next read.
/// </remarks>
public readonly struct LineResult
{
    public LineResult(LineStatus status, ReadOnlyMemory<byte> bytes, bool bareLineFeed)
    {
        Status = status;
        Bytes = bytes;
        BareLineFeed = bareLineFeed;
    }

    public LineStatus Status { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True when the line ended with LF not preceded by CR.</summary>
    public bool BareLineFeed { get; }

    /// <summary>The line as text (UTF-8 decoded; invalid sequences become U+FFFD).</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes.Span);
}
