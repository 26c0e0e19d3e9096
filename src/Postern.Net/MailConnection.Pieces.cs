namespace Postern.Net;

public sealed partial class MailConnection
{
    /// <summary>
    /// Reads the next piece of a line that may be of any length: the rest of the line if it ends
    /// within <paramref name="maxPiece"/> octets, else the next <paramref name="maxPiece"/> (or one
    /// fewer, see <see cref="LinePiece"/>). For message content whose only bound is the message size
    /// (SMTP DATA), where <see cref="ReadLineAsync"/>'s per-line limit would refuse it.
    /// </summary>
    /// <remarks>
    /// <see cref="ReadTimeout"/> bounds each piece as <see cref="ReadLineAsync"/> bounds a line, and
    /// <paramref name="transfer"/> (the DATA phase's clock: minimum rate and stall) bounds the whole,
    /// since the line itself has no limit.
    /// </remarks>
    public async ValueTask<LinePiece> ReadLinePieceAsync(int maxPiece, TransferClock? transfer, CancellationToken ct)
    {
        // Two octets at least, so holding back a CR still leaves a piece of one octet or more.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPiece, 2);
        long deadline = Environment.TickCount64 + (long)ReadTimeout.TotalMilliseconds;
        int scanFrom = _start;
        while (true)
        {
            int window = Math.Min(_end, _start + maxPiece + 1) - scanFrom;
            int idx = window > 0 ? Array.IndexOf(_in, (byte)'\n', scanFrom, window) : -1;
            if (idx >= 0)
            {
                int pieceStart = _start;
                _start = idx + 1;
                bool bare = idx == pieceStart || _in[idx - 1] != (byte)'\r';
                int contentEnd = bare ? idx : idx - 1;
                return new LinePiece(_in.AsMemory(pieceStart, contentEnd - pieceStart), true, bare, false);
            }

            if (_end - _start > maxPiece)
            {
                int length = _in[_start + maxPiece - 1] == (byte)'\r' ? maxPiece - 1 : maxPiece;
                var piece = _in.AsMemory(_start, length);
                _start += length;
                return new LinePiece(piece, false, false, false);
            }

            MakeRoom(maxPiece + 2);
            scanFrom = _end;
            if (await FillAsync(ct, deadline, transfer).ConfigureAwait(false) == 0)
            {
                return new LinePiece(ReadOnlyMemory<byte>.Empty, false, false, true);
            }
        }
    }
}
