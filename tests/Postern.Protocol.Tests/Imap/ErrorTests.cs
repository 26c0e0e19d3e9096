using Postern.Imap;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class ErrorTests
{
    [Theory]
    [InlineData("a FROBNICATE", "a BAD Unknown command")]
    [InlineData("a NOOP extra", "a BAD")]
    [InlineData("a SELECT (INBOX", "a BAD")]
    [InlineData("+ NOOP", "* BAD")]
    [InlineData("a SELECT INBOX", "a BAD")]
    public async Task Bad_commands_get_bad_and_the_session_survives(string command, string expected)
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        await f.Client.SendLineAsync(command);
        Assert.StartsWith(expected, await f.Client.ReadLineAsync());
        var ok = await f.CommandAsync("n", "NOOP");
        Assert.Equal(["n OK NOOP completed"], ok);
    }

    [Fact]
    public async Task Too_long_line_is_rejected_and_the_session_survives()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { MaxLineLength = 1000 });
        await f.Client.SendLineAsync("a LOGIN " + new string('x', 5000) + " y");
        // The connection keeps the start of an over-long line, so the client gets its tagged answer.
        Assert.Equal("a BAD Line too long", await f.Client.ReadLineAsync());
        var ok = await f.CommandAsync("n", "NOOP");
        Assert.Equal(["n OK NOOP completed"], ok);
    }

    [Fact]
    public async Task Too_long_line_without_a_readable_tag_gets_an_untagged_BAD()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { MaxLineLength = 1000 });
        await f.Client.SendLineAsync(new string('x', 5000));
        Assert.Equal("* BAD Line too long", await f.Client.ReadLineAsync());
        var ok = await f.CommandAsync("n", "NOOP");
        Assert.Equal(["n OK NOOP completed"], ok);
    }

    [Fact]
    public async Task Over_limit_synchronising_literal_gets_no_continuation()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { MaxLiteralSize = 100 });
        await f.Client.SendLineAsync("a LOGIN {101}");
        Assert.StartsWith("a BAD", await f.Client.ReadLineAsync());
        var ok = await f.CommandAsync("n", "NOOP");
        Assert.Equal(["n OK NOOP completed"], ok);
    }

    [Fact]
    public async Task Over_limit_non_synchronising_literal_closes_with_bye()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { MaxLiteralSize = 100 });
        await f.Client.SendLineAsync("a LOGIN {101+}");
        Assert.StartsWith("* BYE", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Too_many_bad_commands_close_the_session()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { MaxBadCommands = 3 });
        for (int i = 0; i < 2; i++)
        {
            Assert.StartsWith("a BAD", (await f.CommandAsync("a", "BOGUS"))[^1]);
        }

        await f.Client.SendLineAsync("a BOGUS");
        Assert.StartsWith("a BAD", await f.Client.ReadLineAsync());
        Assert.Equal("* BYE Too many invalid commands", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Idle_timeout_says_bye()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new ImapOptions { PreAuthTimeout = TimeSpan.FromMilliseconds(200) });
        Assert.Equal("* BYE Autologout; idle for too long", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }
}
