namespace Postern.Integration.Tests;

/// <summary>The per-address connection cap on a real listener: one address is cut off, another is still served.</summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private PosternServer _server = null!;

    public async Task InitializeAsync() => _server = await PosternServer.StartNewAsync(["--Limits:MaxConnectionsPerAddress=2"], users: []);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_third_connection_from_one_address_is_refused_while_another_address_is_served()
    {
        await using var first = await RawClient.ConnectAsync(_server, 143, from: "127.0.0.1");
        await using var second = await RawClient.ConnectAsync(_server, 143, from: "127.0.0.1");
        Assert.StartsWith("* OK", await first.ReadLineAsync());
        Assert.StartsWith("* OK", await second.ReadLineAsync());

        // Refused: closed without a greeting (a timeout would fail the test).
        await using (var third = await RawClient.ConnectAsync(_server, 143, from: "127.0.0.1"))
        {
            Assert.Null(await third.ReadLineAsync(TimeSpan.FromSeconds(10)));
        }

        await using var other = await RawClient.ConnectAsync(_server, 143, from: "127.0.0.2");
        Assert.StartsWith("* OK", await other.ReadLineAsync());
    }
}
