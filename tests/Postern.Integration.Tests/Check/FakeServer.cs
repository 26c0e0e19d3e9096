using System.Net;
using System.Net.Sockets;

namespace Postern.Integration.Tests.Check;

/// <summary>
/// The part every deliberately broken fake server shares: a loopback listener, an accept loop, a
/// task per connection with a 30 s bound, and a dispose that waits for them all.
/// </summary>
public abstract class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private Task? _accepting;

    protected FakeServer(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
    }

    /// <summary>Starts accepting; called by the subclass once its own fields are set.</summary>
    protected void Start() => _accepting = AcceptAsync();

    /// <summary>Runs one connection; <paramref name="ct"/> ends it after 30 s or at dispose.</summary>
    protected abstract Task SessionAsync(TcpClient client, CancellationToken ct);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_sessions)
                {
                    _sessions.Add(RunAsync(client));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task RunAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await SessionAsync(client, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }

        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
