using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postern.Integration.Tests.Check;

/// <summary>
/// A plaintext-only POP3 server from the bad old days: no STLS, and USER accepted in the clear
/// although CAPA does not list it — so only a real USER probe can catch it.
/// </summary>
public sealed class FakePop3Server : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _sessions = [];

    public FakePop3Server(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Every command received, in order (to prove no password was ever sent).</summary>
    public List<string> Commands { get; } = [];

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_sessions)
                {
                    _sessions.Add(SessionAsync(client));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        async Task Say(string s) => await stream.WriteAsync(Encoding.ASCII.GetBytes(s + "\r\n"), ct);
        try
        {
            await Say("+OK fake POP3 ready");
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                lock (Commands)
                {
                    Commands.Add(line);
                }

                switch (line.Split(' ')[0].ToUpperInvariant())
                {
                    case "CAPA":
                        await Say("+OK\r\nTOP\r\nUIDL\r\n.");
                        break;
                    case "USER":
                        await Say("+OK send PASS");
                        break;
                    case "QUIT":
                        await Say("+OK bye");
                        return;
                    default:
                        await Say("-ERR no");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The checker hung up or probed with TLS: the end of this session.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _stop.Dispose();
    }
}
