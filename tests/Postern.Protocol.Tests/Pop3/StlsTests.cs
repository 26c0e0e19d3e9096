using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class StlsTests
{
    [Theory]
    [InlineData("USER alice@example.org")]
    [InlineData("PASS secret")]
    [InlineData("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==")]
    [InlineData("AUTH PLAIN")]
    [InlineData("AUTH")]
    public async Task Credentials_are_refused_before_tls(string command)
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        var reply = await t.CommandAsync(command);
        Assert.StartsWith("-ERR [AUTH]", reply);
        Assert.Contains("STLS", reply);
        // The session survives: still answering, still in AUTHORIZATION.
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
        await t.ReadMultiLineAsync();
    }

    [Fact]
    public async Task User_then_pass_before_tls_never_logs_in()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        Assert.StartsWith("-ERR [AUTH]", await t.CommandAsync("USER alice@example.org"));
        Assert.StartsWith("-ERR [AUTH]", await t.CommandAsync("PASS secret"));
        Assert.StartsWith("-ERR", await t.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Commands_pipelined_after_stls_are_discarded()
    {
        var log = new ListLogger();
        await using var t = await Pop3Test.StartAsync(await Pop3World.CreateAsync(), log: log);
        await t.ReadLineAsync();
        // One write: if the server kept the buffered USER line it would run inside TLS.
        await t.Client.SendAsync("STLS\r\nUSER alice@example.org\r\n");
        Assert.Equal("+OK Begin TLS negotiation", await t.ReadLineAsync());
        await t.Client.StartTlsAsync();

        // NOOP is not valid in AUTHORIZATION (RFC 1939), so CAPA shows the first reply in TLS is ours.
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
        Assert.Contains("USER", await t.ReadMultiLineAsync());
        // Had the pipelined USER survived, PASS would log in now.
        Assert.Equal("-ERR Send USER first", await t.CommandAsync("PASS secret"));

        // The discard is logged as a warning, with the count but not the bytes.
        var warning = Assert.Single(log.Events, e => e.Id.Id == 5002);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("24 bytes", warning.Message);
        Assert.DoesNotContain(log.Events, e => e.Message.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stls_twice_is_refused()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.StartsWith("-ERR", await t.CommandAsync("STLS"));
        Assert.StartsWith("+OK", await t.CommandAsync("USER alice@example.org"));
    }

    [Fact]
    public async Task Stls_on_implicit_tls_is_refused()
    {
        await using var t = await Pop3Test.StartAsync(TlsMode.Implicit);
        await t.GreetAndSecureAsync(TlsMode.Implicit);
        Assert.StartsWith("-ERR", await t.CommandAsync("STLS"));
    }

    [Fact]
    public async Task Stls_in_transaction_is_refused()
    {
        await using var t = await Pop3Test.StartAsync();
        Assert.StartsWith("+OK", await t.LoginAsync());
        Assert.StartsWith("-ERR", await t.CommandAsync("STLS"));
        Assert.Equal("+OK 0 0", await t.CommandAsync("STAT"));
    }
}
