using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public class AuthTests
{
    private const string Invalid = "535 5.7.8 Authentication credentials invalid";

    [Theory]
    [InlineData("AUTH PLAIN")]
    [InlineData("AUTH LOGIN")]
    public async Task Auth_before_tls_is_refused_without_prompt(string command)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.Equal("530 5.7.0 Must issue a STARTTLS command first", await h.CommandAsync(command + " " + SmtpHarness.Plain("alice@example.org", "secret")));
        Assert.Equal("530 5.7.0 Must issue a STARTTLS command first", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
    }

    [Fact]
    public async Task Auth_on_relay_is_refused_even_over_tls()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        await h.StartTlsAsync();
        await h.EhloAsync();
        Assert.StartsWith("502 5.5.1 AUTH is not offered", await h.CommandAsync("AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", "secret")));
    }

    [Fact]
    public async Task Plain_with_initial_response_succeeds()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.LoginAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<Alice@Example.org>"));
        Assert.Contains(h.Log.Events, e => e.Id.Id == 2004);
    }

    [Fact]
    public async Task Plain_with_continuation_succeeds()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("334 ", await h.CommandAsync("AUTH PLAIN"));
        Assert.Equal("235 2.7.0 Authentication successful", await h.CommandAsync(SmtpHarness.Plain("alice@example.org", "secret")));
    }

    [Fact]
    public async Task Login_succeeds_with_prompts()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("334 VXNlcm5hbWU6", await h.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await h.CommandAsync(SmtpHarness.B64("alice@example.org")));
        Assert.Equal("235 2.7.0 Authentication successful", await h.CommandAsync(SmtpHarness.B64("secret")));
    }

    [Fact]
    public async Task Login_with_initial_username_succeeds()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("334 UGFzc3dvcmQ6", await h.CommandAsync("AUTH LOGIN " + SmtpHarness.B64("alice@example.org")));
        Assert.Equal("235 2.7.0 Authentication successful", await h.CommandAsync(SmtpHarness.B64("secret")));
    }

    [Theory]
    [InlineData("alice@example.org", "wrong")]
    [InlineData("nobody@example.org", "secret")]
    [InlineData("alice@example.org", "")]
    public async Task Plain_failure_text_is_the_same_for_unknown_user_and_wrong_password(string user, string password)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal(Invalid, await h.CommandAsync("AUTH PLAIN " + SmtpHarness.Plain(user, password)));
        Assert.Equal("530 5.7.0 Authentication required", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
    }

    [Theory]
    [InlineData("alice@example.org", "wrong")]
    [InlineData("nobody@example.org", "secret")]
    public async Task Login_failure_text_is_the_same_for_unknown_user_and_wrong_password(string user, string password)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("334 VXNlcm5hbWU6", await h.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await h.CommandAsync(SmtpHarness.B64(user)));
        Assert.Equal(Invalid, await h.CommandAsync(SmtpHarness.B64(password)));
    }

    [Fact]
    public async Task Star_cancels_the_exchange()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("334 ", await h.CommandAsync("AUTH PLAIN"));
        Assert.Equal("501 5.0.0 Authentication cancelled", await h.CommandAsync("*"));
        Assert.Equal("334 VXNlcm5hbWU6", await h.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await h.CommandAsync(SmtpHarness.B64("alice@example.org")));
        Assert.Equal("501 5.0.0 Authentication cancelled", await h.CommandAsync("*"));
    }

    [Fact]
    public async Task Second_auth_after_success_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.LoginAsync();
        Assert.Equal("503 5.5.1 Already authenticated", await h.CommandAsync("AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", "secret")));
    }

    [Theory]
    [InlineData("AUTH CRAM-MD5", "504 5.5.4 ")]
    [InlineData("AUTH PLAIN !!!notbase64", "501 5.5.2 ")]
    [InlineData("AUTH", "501 5.5.4 ")]
    public async Task Bad_auth_commands_get_clear_errors(string command, string expected)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.StartsWith(expected, await h.CommandAsync(command));
    }

    [Fact]
    public async Task Auth_before_ehlo_is_out_of_sequence()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        Assert.Equal("503 5.5.1 Send EHLO first", await h.CommandAsync("AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", "secret")));
    }

    [Fact]
    public async Task Auth_line_may_exceed_1000_octets()
    {
        // RFC 4954 4 raises the AUTH line limit to 12288 octets; a long (wrong) password is an auth failure, not a syntax error.
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        string command = "AUTH PLAIN " + SmtpHarness.Plain("alice@example.org", new string('p', 1000));
        Assert.True(command.Length > 1000);
        Assert.Equal(Invalid, await h.CommandAsync(command));
        Assert.Equal("500 5.5.2 Line too long", await h.CommandAsync("AUTH PLAIN " + new string('A', 12300)));
        Assert.Equal("500 5.5.2 Line too long", await h.CommandAsync("NOOP " + new string('A', 1000)));
    }
}
