namespace Postern.Net.Diagnostics;

/// <summary>
/// Sits under the SslStream during the handshake and keeps a copy of the first bytes the client
/// sent, so a failed handshake can be explained (plaintext where TLS was due, an outdated
/// ClientHello). Reads and writes pass straight through; only a bounded prefix is copied.
/// </summary>
public sealed class HandshakeRecorder(Stream inner) : Stream
{
    /// <summary>Enough for a ClientHello with its extensions (they are usually well under 2 KB).</summary>
    private const int Capacity = 4096;

    private readonly byte[] _seen = new byte[Capacity];
    private int _count;

    /// <summary>Stops copying once the handshake is over.</summary>
    public bool Recording { get; set; } = true;

    public ReadOnlySpan<byte> Seen => _seen.AsSpan(0, _count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Record(buffer.Span[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = inner.Read(buffer, offset, count);
        Record(buffer.AsSpan(offset, n));
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Record(ReadOnlySpan<byte> bytes)
    {
        if (Recording && _count < Capacity)
        {
            int n = Math.Min(bytes.Length, Capacity - _count);
            bytes[..n].CopyTo(_seen.AsSpan(_count));
            _count += n;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // The transport belongs to the connection, which disposes it.
        base.Dispose(disposing);
    }
}
