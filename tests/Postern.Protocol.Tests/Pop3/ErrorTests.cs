using Postern.Pop3;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class ErrorTests
{
    [Theory]
    [InlineData("FOO")]
    [InlineData("APOP alice@example.org c4c9334bac560ecc979e58001b3e22fb")]
    [InlineData("XTND XMIT")]
    [InlineData("LISTS")]
    [InlineData("")]
    [InlineData("L1ST")]
    public async Task Unknown_commands_get_err_and_the_session_survives(string command)
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        Assert.Equal("-ERR Unknown command", await t.CommandAsync(command));
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
    }

    [Fact]
    public async Task Control_characters_are_a_syntax_error()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        Assert.Equal("-ERR Syntax error in arguments", await t.CommandAsync("USER a\0b"));
    }

    [Fact]
    public async Task Too_long_line_gets_err_and_the_session_survives()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        Assert.Equal("-ERR Line too long", await t.CommandAsync("USER " + new string('a', 300)));
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
    }

    [Fact]
    public async Task Too_many_errors_close_the_session()
    {
        await using var t = await Pop3Test.StartAsync(options: new Pop3Options { MaxErrors = 3 });
        await t.ReadLineAsync();
        Assert.Equal("-ERR Unknown command", await t.CommandAsync("FOO"));
        Assert.Equal("-ERR Unknown command", await t.CommandAsync("BAR"));
        Assert.Equal("-ERR Too many errors", await t.CommandAsync("BAZ"));
        Assert.True(await t.Client.IsClosedAsync());
        await t.Session.WaitAsync(Pop3Test.SessionWait);
    }

    [Fact]
    public async Task Failed_logins_count_as_errors()
    {
        await using var t = await Pop3Test.StartAsync(options: new Pop3Options { MaxErrors = 2 });
        await t.GreetAndSecureAsync();
        await t.CommandAsync("USER alice@example.org");
        Assert.Equal("-ERR [AUTH] Authentication failed", await t.CommandAsync("PASS wrong"));
        await t.CommandAsync("USER alice@example.org");
        Assert.Equal("-ERR Too many errors", await t.CommandAsync("PASS wrong"));
        Assert.True(await t.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Idle_client_is_disconnected_without_a_reply()
    {
        await using var t = await Pop3Test.StartAsync(options: new Pop3Options { PreAuthTimeout = TimeSpan.FromMilliseconds(200) });
        await t.ReadLineAsync();
        // IsClosedAsync waits at most the client's 15 s; the server gives up after 200 ms.
        Assert.True(await t.Client.IsClosedAsync());
        await t.Session.WaitAsync(Pop3Test.SessionWait);
    }

    [Fact]
    public async Task Idle_timeout_in_transaction_applies_no_deletions()
    {
        var world = await Pop3World.CreateAsync();
        await world.AddAsync("Subject: a\r\n\r\na\r\n");
        await using var t = await Pop3Test.StartAsync(world, options: new Pop3Options { TransactionTimeout = TimeSpan.FromMilliseconds(200) });
        await t.GreetAndSecureAsync();
        Assert.StartsWith("+OK", await t.CommandAsync("USER alice@example.org"));
        // Pipelined, so the short timeout cannot fire between login and DELE.
        await t.Client.SendAsync("PASS secret\r\nDELE 1\r\n");
        Assert.StartsWith("+OK Logged in", await t.ReadLineAsync());
        Assert.StartsWith("+OK", await t.ReadLineAsync());
        Assert.True(await t.Client.IsClosedAsync());
        await t.Session.WaitAsync(Pop3Test.SessionWait);
        Assert.Single(await world.UidsAsync());
    }
}
