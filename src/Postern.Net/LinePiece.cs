namespace Postern.Net;

/// <summary>
/// A piece of a line read by <see cref="MailConnection.ReadLinePieceAsync"/>: the whole line, or a
/// bounded part of a longer one, without its line ending.
/// </summary>
/// <remarks>
/// <see cref="Bytes"/> points into the connection's buffer and is valid only until the next read.
/// A CR that ends a piece which does not end the line is held back for the next piece, so a line
/// ending split across pieces is still seen as CRLF, and a bare CR is still seen as one.
/// </remarks>
/// <param name="Bytes">The octets of this piece.</param>
/// <param name="EndsLine">True when the line's LF was reached: this is the line's last piece.</param>
/// <param name="BareLineFeed">With <paramref name="EndsLine"/>: the line ended in LF without CR.</param>
/// <param name="Closed">The peer closed the connection before the line ended; nothing else is set.</param>
public readonly record struct LinePiece(ReadOnlyMemory<byte> Bytes, bool EndsLine, bool BareLineFeed, bool Closed);
