namespace Postern.Fuzz.Support;

/// <summary>
/// The server's end of an in-memory connection that tells the client when the server is waiting
/// for input (a read that could not complete from what was already sent). The session driver
/// sends the next line only then, as a client that waits for each reply would: otherwise every
/// input would trip SMTP's pipelining rules (RFC 2920 3.1) before reaching the command it holds.
/// </summary>
public sealed class WatchedTransport(Stream input, Stream output) : Postern.Testing.DuplexStream(input, output)
{
    private readonly object _gate = new();
    private long _generation;
    private bool _pending;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);


    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = Input.ReadAsync(buffer, ct);
        return read.IsCompleted ? read : AwaitPendingAsync(read);
    }

    private async ValueTask<int> AwaitPendingAsync(ValueTask<int> read)
    {
        lock (_gate)
        {
            _generation++;
            _pending = true;
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }

        try
        {
            return await read.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _pending = false;
            }
        }
    }

    /// <summary>
    /// Waits until the server waits in a read newer than <paramref name="after"/> and returns that
    /// read's number, or -1 when <paramref name="session"/> ended first.
    /// </summary>
    public async Task<long> WaitForReadAsync(long after, Task session)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_pending && _generation > after)
                {
                    return _generation;
                }

                changed = _changed.Task;
            }

            if (await Task.WhenAny(changed, session).ConfigureAwait(false) == session)
            {
                return -1;
            }
        }
    }
}
