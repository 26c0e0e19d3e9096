using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public class GreetingTests
{
    [Theory]
    [InlineData(MailProtocol.Submission, TlsMode.StartTls)]
    [InlineData(MailProtocol.Submission, TlsMode.Implicit)]
    [InlineData(MailProtocol.SmtpRelay, TlsMode.StartTls)]
    public async Task Greeting_names_host_and_product(MailProtocol protocol, TlsMode mode)
    {
        await using var h = await SmtpHarness.StartAsync(protocol, mode);
        Assert.Equal("220 mail.test ESMTP Postern", h.Greeting);
    }

    [Fact]
    public async Task Ehlo_on_submission_before_tls_offers_starttls_but_no_auth()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        var lines = await h.EhloAsync();
        Assert.Equal(
            ["250-mail.test", "250-PIPELINING", "250-SIZE 52428800", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250 STARTTLS"],
            lines);
    }

    [Fact]
    public async Task Ehlo_on_submission_after_starttls_offers_auth_and_no_starttls()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.EhloAsync();
        await h.StartTlsAsync();
        var lines = await h.EhloAsync();
        Assert.Equal("250 AUTH PLAIN LOGIN", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("STARTTLS"));
    }

    [Fact]
    public async Task Ehlo_on_implicit_tls_offers_auth_only()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        var lines = await h.EhloAsync();
        Assert.Contains("250 AUTH PLAIN LOGIN", lines);
        Assert.DoesNotContain(lines, l => l.Contains("STARTTLS"));
    }

    [Fact]
    public async Task Ehlo_on_relay_offers_starttls_and_never_auth()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        var before = await h.EhloAsync();
        Assert.Equal("250 STARTTLS", before[^1]);
        await h.StartTlsAsync();
        var after = await h.EhloAsync();
        Assert.DoesNotContain(before.Concat(after), l => l.Contains("AUTH"));
        Assert.Equal("250 SMTPUTF8", after[^1]);
    }

    [Fact]
    public async Task Helo_works_with_a_single_line()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.Equal("250 mail.test", await h.CommandAsync("HELO client.test"));
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
    }

    [Theory]
    [InlineData("EHLO")]
    [InlineData("EHLO bad!name")]
    [InlineData("EHLO [300.1.1.1]")]
    [InlineData("HELO -x.test")]
    public async Task Ehlo_with_invalid_name_is_refused(string command)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.StartsWith("501 5.5.4 ", await h.CommandAsync(command));
        Assert.StartsWith("503 5.5.1 ", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
    }

    [Theory]
    [InlineData("EHLO [127.0.0.1]")]
    [InlineData("EHLO [IPv6:::1]")]
    [InlineData("EHLO my_pc")]
    [InlineData("ehlo Client.Test.")]
    public async Task Ehlo_accepts_literals_and_common_names(string command)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        Assert.StartsWith("250 ", await h.CommandAsync(command));
    }
}
