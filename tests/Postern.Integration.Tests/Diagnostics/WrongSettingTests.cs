using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Diagnostics;

/// <summary>
/// Issue 4, item 6: a client with the wrong security setting is recognised and the log says, in
/// the words email programs use, which setting to change. Driven by real clients set up wrongly.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class WrongSettingTests(ServerFixture server)
{
    [Fact]
    public async Task MailKit_set_to_SSL_on_the_STARTTLS_submission_port_is_told_to_choose_STARTTLS_or_465()
    {
        using var smtp = new SmtpClient { Timeout = 20_000, ServerCertificateValidationCallback = server.ValidateCertificate };
        // "SSL/TLS" chosen for port 587: the ClientHello reaches a port that greets in plaintext.
        await Assert.ThrowsAnyAsync<Exception>(() => smtp.ConnectAsync(server.Host, server.Port(587), SecureSocketOptions.SslOnConnect));
        await server.WaitForLogAsync(
            $"client used SSL/TLS on port {server.Port(587)}, which expects STARTTLS: choose STARTTLS, or use port {server.Port(465)} with SSL/TLS");
        // Each mistake has its own event id (110 + kind), so operators can filter for it.
        Assert.Contains("[110] Client setting problem", server.Log);
    }

    [Fact]
    public async Task MailKit_set_to_SSL_on_IMAP_143_is_told_to_choose_STARTTLS_or_993()
    {
        using var imap = new ImapClient { Timeout = 20_000, ServerCertificateValidationCallback = server.ValidateCertificate };
        await Assert.ThrowsAnyAsync<Exception>(() => imap.ConnectAsync(server.Host, server.Port(143), SecureSocketOptions.SslOnConnect));
        await server.WaitForLogAsync(
            $"client used SSL/TLS on port {server.Port(143)}, which expects STARTTLS: choose STARTTLS, or use port {server.Port(993)} with SSL/TLS");
    }

    [Fact]
    public async Task Plaintext_command_on_993_is_told_to_choose_SSL_TLS_or_143_with_STARTTLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 993);
        await c.SendAsync("a1 CAPABILITY\r\n");
        await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(3));
        await server.WaitForLogAsync(
            $"client sent plaintext on port {server.Port(993)}, which expects SSL/TLS from the first byte: choose SSL/TLS, or use port {server.Port(143)} with STARTTLS");
    }

    [Fact]
    public async Task TLS_1_1_offer_on_995_is_named_as_outdated()
    {
        string openssl = ExternalClient.Require("openssl");
        var r = await ProcessRunner.RunAsync(openssl,
            ["s_client", "-connect", $"{server.Host}:{server.Port(995)}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, r.ExitCode);
        await server.WaitForLogAsync($"client offered only TLS 1.1 on port {server.Port(995)}; TLS 1.2 or newer is required");
    }

    [Fact]
    public async Task Client_that_does_not_trust_the_certificate_is_reported_with_its_alert()
    {
        string openssl = ExternalClient.Require("openssl");
        // No trust anchors at all: the self-signed certificate is unknown to openssl, and -verify_return_error
        // makes it abort the handshake with an alert, as a strict email program does.
        var r = await ProcessRunner.RunAsync(openssl,
            ["s_client", "-connect", $"{server.Host}:{server.Port(465)}", "-verify_return_error", "-no-CAfile", "-no-CApath", "-no-CAstore"],
            stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, r.ExitCode);
        await server.WaitForLogAsync($"client rejected the server certificate on port {server.Port(465)} (unknown_ca)");
    }

    [Fact]
    public async Task AUTH_on_the_MX_port_25_is_told_to_use_the_submission_ports()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220", await c.ReadLineAsync());
        await c.SendLineAsync("EHLO client.example");
        await c.ReadSmtpReplyLinesAsync();
        await c.SendLineAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
        var reply = await c.ReadSmtpReplyLinesAsync();
        Assert.StartsWith("5", reply[^1]);
        await server.WaitForLogAsync($"client tried to log in on port {server.Port(25)}, which only takes mail from other servers: to send, use port {server.Port(465)} with SSL/TLS");
    }

    [Fact]
    public async Task Python_login_without_STARTTLS_on_110_is_told_to_choose_STARTTLS()
    {
        string python = ExternalClient.Require("python3");
        // poplib with no security chosen: USER/PASS in plaintext, refused.
        string script = $$"""
            import poplib
            p = poplib.POP3('{{server.Host}}', {{server.Port(110)}}, timeout=20)
            try:
                p.user('nobody@example.test')
                p.pass_('not the password')
            except poplib.error_proto as e:
                print('refused', e)
            p.quit()
            """;
        var r = await ProcessRunner.RunAsync(python, ["-c", script], timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("refused", r.StdOut);
        await server.WaitForLogAsync($"client tried to log in without encryption on port {server.Port(110)}: choose STARTTLS, or use port {server.Port(995)} with SSL/TLS");
    }
}
