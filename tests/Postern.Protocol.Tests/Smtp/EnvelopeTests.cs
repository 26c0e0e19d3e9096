using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public class EnvelopeTests
{
    [Fact]
    public async Task Submission_mail_requires_authentication()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("530 5.7.0 Authentication required", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
    }

    [Fact]
    public async Task Submission_mail_from_someone_else_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.LoginAsync();
        Assert.Equal("553 5.7.1 Sender address must be the address you logged in as", await h.CommandAsync("MAIL FROM:<bob@example.net>"));
        Assert.StartsWith("553 5.7.1 ", await h.CommandAsync("MAIL FROM:<>"));
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
    }

    [Fact]
    public async Task Relay_accepts_only_existing_local_users()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<>"));
        Assert.Equal("550 5.7.1 Relaying denied", await h.CommandAsync("RCPT TO:<victim@elsewhere.test>"));
        Assert.Equal("550 5.7.1 Relaying denied", await h.CommandAsync("RCPT TO:<victim@[192.0.2.1]>"));
        Assert.Equal("550 5.1.1 No such user here", await h.CommandAsync("RCPT TO:<nobody@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<BOB@EXAMPLE.NET>"));
    }

    [Fact]
    public async Task Relay_refuses_auth_then_relay_still()
    {
        // Even a client claiming to be alice cannot relay through port 25.
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("550 5.7.1 Relaying denied", await h.CommandAsync("RCPT TO:<someone@gmail.test>"));
    }

    [Fact]
    public async Task Submission_accepts_foreign_recipients_but_checks_local_ones()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.LoginAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<friend@elsewhere.test>"));
        Assert.Equal("550 5.1.1 No such user here", await h.CommandAsync("RCPT TO:<nobody@example.net>"));
    }

    [Theory]
    [InlineData("MAIL FROM:<x@remote.test> FOO=bar", "555 5.5.4 ")]
    [InlineData("MAIL FROM:<x@remote.test> SIZE=99999999999", "552 5.3.4 ")]
    [InlineData("MAIL FROM:<x@remote.test> SIZE=999999999999999999999999", "552 5.3.4 ")]
    [InlineData("MAIL FROM:<x@remote.test> SIZE=12x", "501 5.5.4 ")]
    [InlineData("MAIL FROM:<x@remote.test> BODY=BINARYMIME", "501 5.5.4 ")]
    [InlineData("MAIL FROM:<x@remote.test> SIZE=1 SIZE=2", "501 5.5.4 ")]
    [InlineData("MAIL FROM:<@relay.test,@other.test:x@remote.test>", "501 5.1.3 Source routes are not accepted")]
    [InlineData("MAIL FROM:x@remote.test", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<x@remote.test", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<x..y@remote.test>", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<x@-remote.test>", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<x y@remote.test>", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<postmaster>", "501 5.1.7 ")]
    [InlineData("MAIL TO:<x@remote.test>", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<jörg@remote.test>", "553 5.6.7 ")]
    [InlineData("MAIL FROM:<x@remote.test>BODY=7BIT", "501 5.1.7 ")]
    public async Task Bad_mail_commands_get_specific_errors(string command, string expected)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.StartsWith(expected, await h.CommandAsync(command));
    }

    [Theory]
    [InlineData("MAIL FROM:<x@remote.test> SIZE=1000 BODY=8BITMIME")]
    [InlineData("mail from: <x@remote.test> body=7bit")]
    [InlineData("MAIL FROM:<\"john doe\"@remote.test>")]
    [InlineData("MAIL FROM:<x@[192.0.2.1]>")]
    [InlineData("MAIL FROM:<x@[IPv6:2001:db8::1]>")]
    [InlineData("MAIL FROM:<jörg@bücher.test> SMTPUTF8")]
    public async Task Good_mail_commands_are_accepted(string command)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync(command));
    }

    [Fact]
    public async Task Address_length_limits_are_enforced()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        string local64 = new('a', 64);
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync($"MAIL FROM:<{local64}@remote.test>"));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("RSET"));
        Assert.StartsWith("501 5.1.3 Address too long", await h.CommandAsync($"MAIL FROM:<{local64}a@remote.test>"));
        string longDomain = string.Join('.', Enumerable.Repeat(new string('d', 60), 5));
        Assert.StartsWith("501 5.1.3 Address too long", await h.CommandAsync($"MAIL FROM:<x@{longDomain}>"));
    }

    [Fact]
    public async Task Utf8_recipient_needs_smtputf8_on_mail()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.LoginAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("553 5.6.7 Non-ASCII addresses need the SMTPUTF8 parameter on MAIL", await h.CommandAsync("RCPT TO:<jörg@bücher.test>"));
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("RSET"));
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<alice@example.org> SMTPUTF8"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<jörg@bücher.test>"));
    }

    [Fact]
    public async Task Rcpt_parameters_are_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        await h.CommandAsync("MAIL FROM:<x@remote.test>");
        Assert.Equal("555 5.5.4 Unsupported MAIL/RCPT parameter", await h.CommandAsync("RCPT TO:<alice@example.org> NOTIFY=NEVER"));
    }

    [Fact]
    public async Task Too_many_recipients_get_452_and_duplicates_do_not_count()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit, o => o.MaxSubmissionRecipients = 2);
        await h.LoginAsync();
        await h.CommandAsync("MAIL FROM:<alice@example.org>");
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<a@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<A@REMOTE.TEST>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<bob@example.net>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<Bob@example.net>"));
        Assert.Equal("452 4.5.3 Too many recipients", await h.CommandAsync("RCPT TO:<c@remote.test>"));
        Assert.Equal("452 4.5.3 Too many recipients", await h.CommandAsync("RCPT TO:<alice@example.org>"));
    }

    [Fact]
    public async Task Duplicate_recipients_collapse_in_the_envelope()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.LoginAsync();
        await h.SendAsync("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<BOB@example.net>\r\nRCPT TO:<x@remote.test>\r\nRCPT TO:<X@Remote.Test>\r\nDATA\r\n");
        for (int i = 0; i < 5; i++)
        {
            Assert.StartsWith("250 ", await h.ReadAsync());
        }

        Assert.StartsWith("354 ", await h.ReadAsync());
        await h.SendAsync("Subject: hi\r\n\r\nbody\r\n.\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        var (envelope, _) = Assert.Single(h.Store.Accepted);
        Assert.Equal("alice@example.org", envelope.ReturnPath);
        Assert.Single(envelope.LocalAccounts);
        Assert.Equal(["x@remote.test"], envelope.RemoteRecipients);
    }

    [Fact]
    public async Task Bare_postmaster_is_accepted_when_a_postmaster_account_exists()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        await h.CommandAsync("MAIL FROM:<x@remote.test>");
        Assert.Equal("550 5.1.1 No such user here", await h.CommandAsync("RCPT TO:<Postmaster>"));
        await h.Store.AddAccountAsync("postmaster@example.org", "x");
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<Postmaster>"));
    }

    [Fact]
    public async Task Sequence_errors_get_503()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.Equal("503 5.5.1 Send EHLO first", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        await h.EhloAsync();
        Assert.Equal("503 5.5.1 Send MAIL first", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("503 5.5.1 Send MAIL first", await h.CommandAsync("DATA"));
        await h.CommandAsync("MAIL FROM:<x@remote.test>");
        Assert.StartsWith("503 5.5.1 A transaction is already in progress", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("554 5.5.1 No valid recipients", await h.CommandAsync("DATA"));
    }
}
