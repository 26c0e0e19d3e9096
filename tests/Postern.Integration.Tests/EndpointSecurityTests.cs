using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>The refusals of issue 2, on the wire: no password before TLS, no relaying, no STARTTLS injection.</summary>
[Collection(ServerCollection.Name)]
public sealed class EndpointSecurityTests(ServerFixture server)
{
    [Theory]
    [InlineData(993)]
    [InlineData(995)]
    [InlineData(465)]
    public async Task Plaintext_on_an_implicit_TLS_port_gets_no_plaintext_session(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        // A client that wrongly speaks plaintext: the server must neither greet nor execute anything.
        await c.SendAsync(port == 465 ? "EHLO x\r\nQUIT\r\n" : port == 995 ? "CAPA\r\nQUIT\r\n" : "a CAPABILITY\r\na LOGOUT\r\n");
        var got = (await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(3))).Bytes;
        string text = Encoding.ASCII.GetString(got);
        Assert.DoesNotContain("OK", text);
        Assert.DoesNotContain("220", text);
        Assert.DoesNotContain("250", text);
        Assert.False(got.Length > 0 && got[0] != 0x15, $"Expected nothing or a TLS alert, got: {text}");
    }

    [Fact]
    public async Task Imap_143_says_LOGINDISABLED_and_refuses_LOGIN_and_AUTHENTICATE_before_STARTTLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 143);
        var greeting = await c.ReadLineAsync();
        Assert.StartsWith("* OK", greeting);
        Assert.DoesNotContain("PREAUTH", greeting);
        await c.SendLineAsync("a CAPABILITY");
        var caps = await c.ReadUntilAsync("a ");
        Assert.Contains(caps, l => l.StartsWith("* CAPABILITY", StringComparison.Ordinal) && l.Contains("LOGINDISABLED") && l.Contains("STARTTLS") && !l.Contains("AUTH="));
        await c.SendLineAsync($"b LOGIN {ServerFixture.User("alice")} \"{ServerFixture.Password}\"");
        var login = await c.ReadUntilAsync("b ");
        Assert.Matches("^b (NO|BAD) ", login[^1]);
        await c.SendLineAsync("c AUTHENTICATE PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{ServerFixture.User("alice")}\0{ServerFixture.Password}")));
        var auth = await c.ReadUntilAsync("c ");
        Assert.Matches("^c (NO|BAD) ", auth[^1]);
    }

    [Fact]
    public async Task Pop3_110_refuses_USER_PASS_and_AUTH_before_STLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 110);
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendLineAsync($"USER {ServerFixture.User("alice")}");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync($"PASS {ServerFixture.Password}");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{ServerFixture.User("alice")}\0{ServerFixture.Password}")));
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync("STAT");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
    }

    [Theory]
    [InlineData(587)]
    [InlineData(26)]
    public async Task Submission_neither_advertises_nor_accepts_AUTH_before_STARTTLS(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.StartsWith("220", (await c.ReadSmtpReplyLinesAsync())[0]);
        await c.SendLineAsync("EHLO client.test");
        var ehlo = await c.ReadSmtpReplyLinesAsync();
        Assert.Contains(ehlo, l => l[4..].StartsWith("STARTTLS", StringComparison.Ordinal));
        Assert.DoesNotContain(ehlo, l => l[4..].StartsWith("AUTH", StringComparison.Ordinal));
        await c.SendLineAsync("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{ServerFixture.User("alice")}\0{ServerFixture.Password}")));
        Assert.Matches("^5[0-9][0-9] ", (await c.ReadSmtpReplyLinesAsync())[^1]);
        await c.SendLineAsync("MAIL FROM:<" + ServerFixture.User("alice") + ">");
        Assert.Matches("^5[0-9][0-9] ", (await c.ReadSmtpReplyLinesAsync())[^1]);

        // After STARTTLS, AUTH appears.
        await c.SendLineAsync("STARTTLS");
        Assert.StartsWith("220", (await c.ReadSmtpReplyLinesAsync())[^1]);
        await c.StartTlsAsync();
        await c.SendLineAsync("EHLO client.test");
        var secure = await c.ReadSmtpReplyLinesAsync();
        Assert.Contains(secure, l => l[4..].StartsWith("AUTH", StringComparison.Ordinal) && l.Contains("PLAIN"));
        Assert.DoesNotContain(secure, l => l[4..].StartsWith("STARTTLS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Port_25_refuses_to_relay_and_never_offers_AUTH()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220", (await c.ReadSmtpReplyLinesAsync())[0]);
        await c.SendLineAsync("EHLO relay.test");
        Assert.Contains(await c.ReadSmtpReplyLinesAsync(), l => l.Contains("STARTTLS"));
        await c.SendLineAsync("STARTTLS");
        Assert.StartsWith("220", (await c.ReadSmtpReplyLinesAsync())[^1]);
        await c.StartTlsAsync();
        await c.SendLineAsync("EHLO relay.test");
        Assert.DoesNotContain(await c.ReadSmtpReplyLinesAsync(), l => l[4..].StartsWith("AUTH", StringComparison.Ordinal));
        await c.SendLineAsync("MAIL FROM:<someone@elsewhere.test>");
        Assert.StartsWith("250", (await c.ReadSmtpReplyLinesAsync())[^1]);
        await c.SendLineAsync("RCPT TO:<victim@foreign.test>");
        Assert.StartsWith("550", (await c.ReadSmtpReplyLinesAsync())[^1]);
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("bob")}>");
        Assert.StartsWith("250", (await c.ReadSmtpReplyLinesAsync())[^1]);
    }

    [Theory]
    [InlineData(587, "smtp")]
    [InlineData(26, "smtp")]
    [InlineData(25, "smtp")]
    [InlineData(143, "imap")]
    [InlineData(110, "pop3")]
    public async Task A_command_pipelined_after_STARTTLS_is_not_executed_inside_TLS(int port, string protocol)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.NotNull(await c.ReadLineAsync());
        if (protocol == "smtp")
        {
            await c.SendLineAsync("EHLO client.test");
            await c.ReadSmtpReplyLinesAsync();
            // The injected command must not survive the upgrade (CVE-2011-0411).
            await c.SendAsync("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
            Assert.StartsWith("220", (await c.ReadSmtpReplyLinesAsync())[^1]);
            await c.StartTlsAsync();
            await c.SendLineAsync("NOOP");
            var first = await c.ReadSmtpReplyLinesAsync();
            Assert.StartsWith("250", first[^1]);
            // Had MAIL been executed, RCPT would be accepted in sequence; without EHLO and MAIL it must fail.
            await c.SendLineAsync("RCPT TO:<" + ServerFixture.User("bob") + ">");
            Assert.StartsWith("503", (await c.ReadSmtpReplyLinesAsync())[^1]);
        }
        else if (protocol == "imap")
        {
            await c.SendAsync($"a STARTTLS\r\nb LOGIN {ServerFixture.User("alice")} \"{ServerFixture.Password}\"\r\n");
            Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
            await c.StartTlsAsync();
            await c.SendLineAsync("c NOOP");
            var lines = await c.ReadUntilAsync("c ");
            Assert.DoesNotContain(lines, l => l.StartsWith("b ", StringComparison.Ordinal));
            await c.SendLineAsync("d SELECT INBOX");
            Assert.Matches("^d (NO|BAD) ", (await c.ReadUntilAsync("d "))[^1]);
        }
        else
        {
            await c.SendAsync($"STLS\r\nUSER {ServerFixture.User("alice")}\r\n");
            Assert.StartsWith("+OK", await c.ReadLineAsync());
            await c.StartTlsAsync();
            await c.SendLineAsync($"PASS {ServerFixture.Password}");
            // USER was discarded, so PASS has no user to go with.
            Assert.StartsWith("-ERR", await c.ReadLineAsync());
        }
    }

    [Fact]
    public async Task Submission_refuses_MAIL_FROM_someone_elses_address()
    {
        using var smtp = await MailKitClients.SmtpAsync(server, 465, ServerFixture.User("alice"));
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(ServerFixture.User("bob")));
        message.To.Add(MailboxAddress.Parse(ServerFixture.User("carol")));
        message.Subject = "forged";
        message.Body = new TextPart("plain") { Text = "not from alice" };
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => smtp.SendAsync(message));
        Assert.Equal(SmtpErrorCode.SenderNotAccepted, e.ErrorCode);
    }

    [Theory]
    [InlineData(993)]
    [InlineData(995)]
    [InlineData(465)]
    public async Task Wrong_password_and_unknown_user_fail_alike(int port)
    {
        async Task<string> FailText(string user, string password)
        {
            try
            {
                if (port == 993)
                {
                    using var c = await MailKitClients.ImapAsync(server, port);
                    await c.AuthenticateAsync(user, password);
                }
                else if (port == 995)
                {
                    using var c = await MailKitClients.Pop3Async(server, port);
                    await c.AuthenticateAsync(user, password);
                }
                else
                {
                    using var c = await MailKitClients.SmtpAsync(server, port);
                    await c.AuthenticateAsync(user, password);
                }
            }
            catch (AuthenticationException e)
            {
                return e.Message;
            }

            throw new Xunit.Sdk.XunitException($"Authentication as {user} succeeded with a wrong password");
        }

        string wrongPassword = await FailText(ServerFixture.User("alice"), "not the password");
        string unknownUser = await FailText(ServerFixture.User("nobody"), ServerFixture.Password);
        Assert.Equal(wrongPassword, unknownUser);
        Assert.DoesNotContain("unknown", wrongPassword, StringComparison.OrdinalIgnoreCase);
    }
}
