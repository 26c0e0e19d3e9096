using System.Net;
using System.Net.Sockets;

namespace Postern.Integration.Tests;

/// <summary>The per-address connection cap on a real listener: one address is cut off, another is still served.</summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private PosternServer _server = null!;

    public async Task InitializeAsync() => _server = await PosternServer.StartNewAsync(["--Limits:MaxConnectionsPerAddress=2"], users: []);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<(TcpClient Client, string? Greeting)> ConnectAsync(string from, int port)
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var reader = new StreamReader(tcp.GetStream());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? greeting;
        try
        {
            greeting = await reader.ReadLineAsync(cts.Token);
        }
        catch (IOException)
        {
            greeting = null;
        }

        return (tcp, greeting);
    }

    [Fact]
    public async Task A_third_connection_from_one_address_is_refused_while_another_address_is_served()
    {
        int port = _server.Port(143);
        var (first, g1) = await ConnectAsync("127.0.0.1", port);
        var (second, g2) = await ConnectAsync("127.0.0.1", port);
        using (first)
        using (second)
        {
            Assert.StartsWith("* OK", g1);
            Assert.StartsWith("* OK", g2);

            var (third, g3) = await ConnectAsync("127.0.0.1", port);
            using (third)
            {
                Assert.Null(g3);
            }

            var (other, g4) = await ConnectAsync("127.0.0.2", port);
            using (other)
            {
                Assert.StartsWith("* OK", g4);
            }
        }
    }
}
