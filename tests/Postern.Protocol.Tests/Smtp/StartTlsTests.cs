using Microsoft.Extensions.Logging;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public class StartTlsTests
{
    [Fact]
    public async Task Command_pipelined_after_starttls_is_not_executed()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.EhloAsync();
        // One write: STARTTLS plus an injected EHLO (CVE-2011-0411 style).
        await h.SendAsync("STARTTLS\r\nEHLO injected.test\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS", await h.ReadAsync());
        await h.Client.StartTlsAsync();

        // If the EHLO had survived, its 250- lines would come before NOOP's reply.
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        // And the session has not seen any EHLO inside TLS.
        Assert.StartsWith("503 5.5.1 ", await h.CommandAsync("MAIL FROM:<alice@example.org>"));
        Assert.Contains(h.Log.Events, e => e.Id.Id == 2001 && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Starttls_resets_ehlo_and_transaction()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        await h.StartTlsAsync();
        Assert.Equal("503 5.5.1 Send EHLO first", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        await h.EhloAsync();
        Assert.Equal("503 5.5.1 Send MAIL first", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.DoesNotContain(h.Log.Events, e => e.Id.Id == 2001);
    }

    [Fact]
    public async Task Second_starttls_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.EhloAsync();
        await h.StartTlsAsync();
        await h.EhloAsync();
        Assert.Equal("554 5.5.1 TLS already active", await h.CommandAsync("STARTTLS"));
    }

    [Fact]
    public async Task Starttls_on_implicit_tls_is_refused()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.Implicit);
        await h.EhloAsync();
        Assert.Equal("554 5.5.1 TLS already active", await h.CommandAsync("STARTTLS"));
    }

    [Fact]
    public async Task Starttls_with_parameters_is_refused_and_session_stays_plaintext()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.EhloAsync();
        Assert.StartsWith("501 5.5.4 ", await h.CommandAsync("STARTTLS now"));
        Assert.Equal("250 STARTTLS", (await h.EhloAsync())[^1]);
    }
}
