using Postern.Imap.Parsing;
using Postern.Net;

namespace Postern.Imap.Session;

/// <summary>
/// Skips the rest of a refused command whose {n+} literals the client has already sent (RFC 7888 4:
/// "read and discard" or close), so none of those octets is ever run as a command.
/// </summary>
public static class LiteralDrain
{
    /// <summary>
    /// Discards <paramref name="size"/> octets, then the command's following lines and every {n+}
    /// literal they announce. A line ending in a synchronising literal ends the command: the client
    /// waits for "+" that never comes and reads our BAD instead. False when the connection ended,
    /// a line was too long or a literal exceeded <paramref name="maxLiteral"/>: the caller must close.
    /// Each literal and the line after it must come at <paramref name="minRate"/> (see
    /// <see cref="TransferClock"/>), or the session ends like an idle timeout.
    /// </summary>
    public static async Task<bool> DrainCommandAsync(MailConnection connection, long size, int maxLine, long maxLiteral, int minRate, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Clamp(size, 1, 64 * 1024)];
        while (true)
        {
            var transfer = connection.StartTransfer(minRate, CommandReader.MinLiteralRateKey);
            while (size > 0)
            {
                int n = await connection.ReadAsync(buffer.AsMemory(0, (int)Math.Min(size, buffer.Length)), ct, transfer).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                size -= n;
            }

            var line = await connection.ReadLineAsync(maxLine, transfer, ct).ConfigureAwait(false);
            if (line.Status != LineStatus.Line)
            {
                return false;
            }

            if (!LiteralMarker.TryFindAtEnd(line.Bytes.Span, out size, out bool nonSync) || !nonSync)
            {
                return true;
            }

            if (size > maxLiteral)
            {
                return false;
            }

            if (buffer.Length < Math.Min(size, 64 * 1024))
            {
                buffer = new byte[(int)Math.Min(size, 64 * 1024)];
            }
        }
    }
}
