using System.Text;

namespace Postern.Check;

/// <summary>A probe step did not get what it needed (closed, timed out, nonsense, too long).</summary>
public sealed class ProbeException(string message) : Exception(message);

/// <summary>
/// A minimal line-oriented client over a socket or TLS stream, with the limits a diagnosis tool
/// needs against any server: bounded line length, bounded waits, and no read-ahead beyond what
/// the server sent (so a STARTTLS upgrade starts from a clean buffer, as RFC 3207 section 4 needs).
/// </summary>
public sealed class ProbeChannel
{
    private const int MaxLine = 4096;
    private readonly byte[] _buffer = new byte[MaxLine * 2];
    private int _start;
    private int _end;

    public ProbeChannel(Stream stream, TimeSpan replyTimeout)
    {
        Stream = stream;
        ReplyTimeout = replyTimeout;
    }

    public Stream Stream { get; private set; }

    public TimeSpan ReplyTimeout { get; }

    /// <summary>Bytes received but not yet read as lines.</summary>
    public int Buffered => _end - _start;

    /// <summary>Continues over the TLS stream after a STARTTLS handshake.</summary>
    public void Upgrade(Stream tls)
    {
        Stream = tls;
        _start = _end = 0;
    }

    public async Task WriteAsync(string text, CancellationToken ct)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(ReplyTimeout);
        try
        {
            await Stream.WriteAsync(bytes, cts.Token);
            await Stream.FlushAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProbeException("the server stopped reading");
        }
        catch (IOException e)
        {
            throw new ProbeException("the connection broke while sending: " + e.Message);
        }
    }

    /// <summary>The next line without CRLF; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct, TimeSpan? timeout = null)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                int len = nl - _start;
                if (len > 0 && _buffer[nl - 1] == '\r')
                {
                    len--;
                }

                string line = Encoding.Latin1.GetString(_buffer, _start, len);
                _start = nl + 1;
                return line;
            }

            if (_end - _start >= MaxLine)
            {
                throw new ProbeException($"the server sent a line longer than {MaxLine} bytes");
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout ?? ReplyTimeout);
            int n;
            try
            {
                n = await Stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ProbeException($"no reply within {(timeout ?? ReplyTimeout).TotalSeconds:0} s");
            }
            catch (IOException e)
            {
                throw new ProbeException("the connection broke: " + e.Message);
            }

            if (n == 0)
            {
                if (_end > _start)
                {
                    // A last line without CRLF: hand it out, then report the close.
                    string rest = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
                    _start = _end;
                    return rest;
                }

                return null;
            }

            _end += n;
        }
    }

    /// <summary>Like ReadLineAsync, but a closed connection is an error.</summary>
    public async Task<string> ExpectLineAsync(CancellationToken ct) =>
        await ReadLineAsync(ct) ?? throw new ProbeException("the server closed the connection");

    /// <summary>Server text made safe to print: printable ASCII only, shortened.</summary>
    public static string Printable(string s, int max = 120)
    {
        var sb = new StringBuilder(Math.Min(s.Length, max));
        foreach (char c in s)
        {
            if (sb.Length >= max)
            {
                sb.Append('…');
                break;
            }

            sb.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return sb.ToString();
    }
}
