using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public class SessionTests
{
    [Fact]
    public async Task Simple_commands()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("noop anything"));
        Assert.StartsWith("252 2.5.0 ", await h.CommandAsync("VRFY alice@example.org"));
        Assert.Equal(await h.CommandAsync("VRFY alice@example.org"), await h.CommandAsync("VRFY nobody@example.org"));
        Assert.Equal("502 5.5.1 EXPN is not supported", await h.CommandAsync("EXPN staff"));
        Assert.StartsWith("214 2.0.0 ", await h.CommandAsync("HELP"));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("RSET"));
        Assert.Equal("221 2.0.0 Bye", await h.CommandAsync("QUIT"));
        Assert.True(await h.Client.IsClosedAsync());
        Assert.True(await h.SessionEndsAsync());
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("BDAT 10 LAST")]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1")]
    public async Task Unknown_commands_get_500(string command)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.Equal("500 5.5.2 Command not recognized", await h.CommandAsync(command));
    }

    [Fact]
    public async Task Command_line_over_1000_octets_is_refused_and_session_survives()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        // 998 octets + CRLF = 1000: allowed (an unknown command, but not too long).
        Assert.Equal("500 5.5.2 Command not recognized", await h.CommandAsync("X" + new string('a', 997)));
        Assert.Equal("500 5.5.2 Line too long", await h.CommandAsync("X" + new string('a', 998)));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Bare_lf_command_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.SendAsync("NOOP\n");
        Assert.Equal("500 5.5.2 Command lines must end with CRLF", await h.ReadAsync());
    }

    [Fact]
    public async Task Invalid_utf8_command_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.Client.SendBytesAsync([(byte)'N', 0xFF, 0xFE, (byte)'\r', (byte)'\n']);
        Assert.Equal("500 5.5.2 Command is not valid UTF-8", await h.ReadAsync());
    }

    [Fact]
    public async Task Too_many_errors_close_the_session()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o => o.MaxErrors = 3);
        await h.SendAsync("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n");
        Assert.Equal("500 5.5.2 Command not recognized", await h.ReadAsync());
        Assert.Equal("500 5.5.2 Command not recognized", await h.ReadAsync());
        Assert.Equal("500 5.5.2 Command not recognized", await h.ReadAsync());
        Assert.Equal("421 4.7.0 Too many errors", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
        Assert.True(await h.SessionEndsAsync());
    }

    [Fact]
    public async Task Failed_auth_attempts_count_as_errors()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit, o => o.MaxErrors = 2);
        await h.EhloAsync();
        Assert.Equal("535 5.7.8 Authentication credentials invalid", await h.CommandAsync("AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", "a")));
        await h.SendLineAsync("AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", "b"));
        Assert.Equal("535 5.7.8 Authentication credentials invalid", await h.ReadAsync());
        Assert.Equal("421 4.7.0 Too many errors", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Idle_client_before_ehlo_gets_421_timeout()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o => o.PreAuthTimeout = TimeSpan.FromMilliseconds(200));
        // No command: the server must give up on its own (the client's read is bounded at 15 s).
        Assert.Equal("421 4.4.2 mail.test Timeout", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Idle_client_after_ehlo_uses_command_timeout()
    {
        await using var h = await SmtpHarness.StartAsync(
            MailProtocol.SmtpRelay,
            TlsMode.StartTls,
            o =>
            {
                o.PreAuthTimeout = TimeSpan.FromMinutes(10);
                o.CommandTimeout = TimeSpan.FromMilliseconds(200);
            });
        await h.EhloAsync();
        Assert.Equal("421 4.4.2 mail.test Timeout", await h.ReadAsync());
    }

    [Fact]
    public async Task Shutdown_sends_421()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        await h.Shutdown.CancelAsync();
        Assert.StartsWith("421 4.3.2 mail.test ", await h.ReadAsync());
        Assert.True(await h.SessionEndsAsync());
    }
}
