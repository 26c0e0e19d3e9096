using System.Buffers;

namespace Postern.Testing;

/// <summary>
/// Reads LF-terminated lines and exact byte counts from a stream through one growable buffer
/// from the shared pool. The search for LF resumes where the previous one stopped, and a line is
/// consumed by moving an offset, so a reply of N lines costs O(bytes) rather than a copy of the
/// rest of the buffer per line (which made multi-megabyte replies quadratic).
/// </summary>
/// <remarks>
/// Room for more input is made by moving the unread bytes to the front only while they fill
/// less than half the buffer, and by doubling it otherwise: every move frees at least as many
/// bytes as it copies, so <see cref="BytesMoved"/> stays below about twice the bytes read.
/// </remarks>
public sealed class LineReader(int initialSize = 16 * 1024, int maxLineLength = LineReader.DefaultMaxLineLength) : IDisposable
{
    /// <summary>Longer than any line a test expects (the hostile tests read multi-megabyte ones), short of exhausting memory.</summary>
    public const int DefaultMaxLineLength = 64 * 1024 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialSize);
    private int _start; // first unconsumed byte
    private int _end; // end of the bytes read
    private int _scanned; // [_start, _scanned) is known to hold no LF

    /// <summary>Bytes read from the stream and not consumed yet.</summary>
    public int Buffered => _end - _start;

    /// <summary>Bytes copied inside the reader (compaction and growth) so far; for the test that shows reading stays linear.</summary>
    public long BytesMoved { get; private set; }

    /// <summary>
    /// The next line without its LF (and a CR before it), or null at the end of the stream (an
    /// unterminated last line is dropped). The memory is valid until the next call.
    /// </summary>
    /// <exception cref="InvalidDataException">The line grew past the maximum length without an LF.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        while (true)
        {
            int lf = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                int at = _scanned + lf;
                int length = at - _start;
                if (length > 0 && _buffer[at - 1] == '\r')
                {
                    length--;
                }

                var line = _buffer.AsMemory(_start, length);
                _start = _scanned = at + 1;
                return line;
            }

            _scanned = _end;
            if (_end - _start > maxLineLength)
            {
                throw new InvalidDataException($"The server sent more than {maxLineLength} bytes without a line feed.");
            }

            if (await FillAsync(stream, 0, ct).ConfigureAwait(false) == 0)
            {
                return null;
            }
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes (a literal, a message body), whether already buffered or not.</summary>
    public async ValueTask<byte[]> ReadExactlyAsync(Stream stream, int count, CancellationToken ct)
    {
        while (_end - _start < count)
        {
            if (await FillAsync(stream, count, ct).ConfigureAwait(false) == 0)
            {
                throw new EndOfStreamException($"The stream ended {count - (_end - _start)} bytes short of {count}.");
            }
        }

        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        _scanned = Math.Max(_scanned, _start);
        return bytes;
    }

    /// <summary>The buffered, unconsumed bytes; the reader is empty afterwards.</summary>
    public byte[] TakeBuffered()
    {
        var bytes = _buffer.AsSpan(_start, _end - _start).ToArray();
        Clear();
        return bytes;
    }

    /// <summary>Drops the buffered bytes (e.g. plaintext read before a TLS handshake, which must not be trusted).</summary>
    public void Clear() => _start = _end = _scanned = 0;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One read into the free end of the buffer, after making room for at least <paramref name="need"/> unconsumed bytes; returns the bytes read (0 at the end).</summary>
    private async ValueTask<int> FillAsync(Stream stream, int need, CancellationToken ct)
    {
        if (_start == _end)
        {
            // Everything consumed: start over at the front, nothing to copy.
            Clear();
        }

        if (_end == _buffer.Length || _buffer.Length - _start < need)
        {
            MakeRoom(need);
        }

        int n = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        _end += n;
        return n;
    }

    private void MakeRoom(int need)
    {
        int pending = _end - _start;
        byte[] target = _buffer;
        if (pending >= _buffer.Length / 2 || need > _buffer.Length)
        {
            target = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, need));
        }

        // Span.CopyTo handles the overlap when compacting in place.
        _buffer.AsSpan(_start, pending).CopyTo(target);
        BytesMoved += pending;
        if (target != _buffer)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _scanned -= _start;
        _end = pending;
        _start = 0;
    }
}
