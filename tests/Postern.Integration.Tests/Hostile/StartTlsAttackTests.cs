using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 1: STARTTLS attacks on all eight endpoints. Commands pipelined behind
/// STARTTLS/STLS (CVE-2011-0411, the "NO STARTTLS" study, USENIX Security 2021) are discarded,
/// never executed inside TLS; the upgrade forgets all plaintext state; STARTTLS inside TLS and on
/// implicit-TLS ports is refused; plaintext after close_notify or instead of a ClientHello ends the
/// connection without being read as commands.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class StartTlsAttackTests(ServerFixture server)
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);

    private static string Plain(string user) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{ServerFixture.Password}"));

    [Theory]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(587)]
    public async Task Smtp_commands_pipelined_after_STARTTLS_are_discarded_and_plaintext_state_is_forgotten(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
        if (port == 25)
        {
            // A transaction begun in plaintext must not survive the upgrade (RFC 3207 4.2).
            await c.SendLineAsync("MAIL FROM:<before@elsewhere.test>");
            Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        }

        // One write: STARTTLS and an injected EHLO/MAIL/RCPT/AUTH the attacker wants run inside TLS.
        await c.SendAsync("STARTTLS\r\nEHLO evil.test\r\nMAIL FROM:<injected@evil.test>\r\nRCPT TO:<" + ServerFixture.User("bob") + ">\r\nAUTH PLAIN " + Plain(ServerFixture.User("alice")) + "\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS", await c.ReadSmtpReplyAsync());
        await c.StartTlsAsync();

        // Had the injected EHLO run, this would be 250 or 503 "nested"; had MAIL run, RCPT would pass.
        await c.SendLineAsync("RCPT TO:<" + ServerFixture.User("bob") + ">");
        Assert.Equal("503 5.5.1 Send EHLO first", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("MAIL FROM:<x@elsewhere.test>");
        Assert.Equal("503 5.5.1 Send EHLO first", await c.ReadSmtpReplyAsync());

        // Capabilities announced afresh: no STARTTLS any more; AUTH only on submission, and not yet used.
        await c.SendLineAsync("EHLO client.test");
        var ehlo = await c.ReadSmtpReplyLinesAsync();
        Assert.DoesNotContain(ehlo, l => l[4..] == "STARTTLS");
        Assert.Equal(port != 25, ehlo.Any(l => l[4..].StartsWith("AUTH ", StringComparison.Ordinal)));
        await c.SendLineAsync("MAIL FROM:<" + ServerFixture.User("alice") + ">");
        Assert.Equal(port == 25 ? "250 2.1.0 Sender ok" : "530 5.7.0 Authentication required", await c.ReadSmtpReplyAsync());
    }

    [Theory]
    [InlineData(25, false)]
    [InlineData(26, false)]
    [InlineData(587, false)]
    [InlineData(465, true)]
    public async Task Smtp_STARTTLS_inside_TLS_is_refused_and_not_advertised(int port, bool implicitTls)
    {
        await using var c = await RawClient.ConnectAsync(server, port, implicitTls);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        if (!implicitTls)
        {
            await c.SendLineAsync("EHLO client.test");
            await c.ReadSmtpReplyAsync();
            await c.SendLineAsync("STARTTLS");
            Assert.Equal("220 2.0.0 Ready to start TLS", await c.ReadSmtpReplyAsync());
            await c.StartTlsAsync();
        }

        await c.SendLineAsync("EHLO client.test");
        Assert.DoesNotContain(await c.ReadSmtpReplyLinesAsync(), l => l.Contains("STARTTLS"));
        await c.SendLineAsync("STARTTLS");
        Assert.Equal("554 5.5.1 TLS already active", await c.ReadSmtpReplyAsync());
        // The session goes on inside the same TLS session.
        await c.SendLineAsync("NOOP");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Imap_143_greets_without_PREAUTH_and_discards_commands_pipelined_after_STARTTLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 143);
        var greeting = await c.ReadLineAsync();
        Assert.NotNull(greeting);
        Assert.StartsWith("* OK ", greeting);
        Assert.DoesNotContain("PREAUTH", greeting);

        await c.SendAsync($"a STARTTLS\r\nb CAPABILITY\r\nc LOGIN {ServerFixture.User("alice")} \"{ServerFixture.Password}\"\r\nd SELECT INBOX\r\n");
        var reply = await c.ReadUntilAsync("a ");
        Assert.Equal(["a OK Begin TLS negotiation now"], reply);
        await c.StartTlsAsync();

        await c.SendLineAsync("e CAPABILITY");
        var caps = await c.ReadUntilAsync("e ");
        // Only e's own lines: nothing answered b, c or d.
        Assert.Equal(2, caps.Count);
        Assert.StartsWith("* CAPABILITY ", caps[0]);
        Assert.Equal("e OK", caps[1][..4]);
        Assert.DoesNotContain("STARTTLS", caps[0]);
        Assert.DoesNotContain("LOGINDISABLED", caps[0]);
        Assert.Contains("AUTH=PLAIN", caps[0]);

        // Not logged in: the injected LOGIN did not run.
        await c.SendLineAsync("f SELECT INBOX");
        Assert.Matches("^f (BAD|NO) ", (await c.ReadUntilAsync("f "))[^1]);
        await c.SendLineAsync("g STARTTLS");
        Assert.Matches("^g BAD ", (await c.ReadUntilAsync("g "))[^1]);
        await c.SendLineAsync("h NOOP");
        Assert.StartsWith("h OK", (await c.ReadUntilAsync("h "))[^1]);
    }

    /// <summary>
    /// Login attempts made in plaintext (all refused unchecked, RFC 3501 6.2.3 LOGINDISABLED) leave
    /// nothing behind: after the upgrade a real login works and capabilities are asked afresh.
    /// </summary>
    [Fact]
    public async Task Imap_plaintext_login_attempts_leave_no_state_after_STARTTLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 143);
        Assert.StartsWith("* OK ", await c.ReadLineAsync());
        for (int i = 0; i < 6; i++)
        {
            await c.SendLineAsync($"p{i} LOGIN {ServerFixture.User("alice")} \"{ServerFixture.Password}\"");
            Assert.Equal($"p{i} NO [PRIVACYREQUIRED] Login is disabled until TLS is active (use STARTTLS or port 993)", (await c.ReadUntilAsync($"p{i} "))[^1]);
        }

        await c.SendLineAsync("a STARTTLS");
        Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
        await c.StartTlsAsync();
        await c.SendLineAsync($"b LOGIN {ServerFixture.User("alice")} \"wrong\"");
        Assert.Equal("b NO [AUTHENTICATIONFAILED] Authentication failed", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendLineAsync($"c LOGIN {ServerFixture.User("alice")} \"{ServerFixture.Password}\"");
        Assert.StartsWith("c OK", (await c.ReadUntilAsync("c "))[^1]);
    }

    [Theory]
    [InlineData(587)]
    [InlineData(26)]
    public async Task Smtp_plaintext_AUTH_attempts_leave_no_state_after_STARTTLS(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        for (int i = 0; i < 3; i++)
        {
            await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("alice")));
            Assert.Equal("530 5.7.0 Must issue a STARTTLS command first", await c.ReadSmtpReplyAsync());
        }

        await c.SendLineAsync("STARTTLS");
        Assert.Equal("220 2.0.0 Ready to start TLS", await c.ReadSmtpReplyAsync());
        await c.StartTlsAsync();
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("alice")));
        Assert.Equal("503 5.5.1 Send EHLO first", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        Assert.Contains(await c.ReadSmtpReplyLinesAsync(), l => l == "250 AUTH PLAIN LOGIN");
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("alice")));
        Assert.Equal("235 2.7.0 Authentication successful", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Imap_993_refuses_STARTTLS_inside_the_implicit_TLS_session()
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK ", await c.ReadLineAsync());
        await c.SendLineAsync("a CAPABILITY");
        Assert.DoesNotContain((await c.ReadUntilAsync("a "))[0], "STARTTLS");
        await c.SendLineAsync("b STARTTLS");
        Assert.Matches("^b BAD ", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendLineAsync("c NOOP");
        Assert.StartsWith("c OK", (await c.ReadUntilAsync("c "))[^1]);
    }

    [Fact]
    public async Task Pop3_110_discards_commands_pipelined_after_STLS()
    {
        await using var c = await RawClient.ConnectAsync(server, 110);
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendAsync($"STLS\r\nUSER {ServerFixture.User("alice")}\r\nPASS {ServerFixture.Password}\r\nSTAT\r\n");
        Assert.Equal("+OK Begin TLS negotiation", await c.ReadLineAsync());
        await c.StartTlsAsync();

        // Had USER run inside TLS, PASS would log in; had PASS run, STAT would work.
        await c.SendLineAsync("STAT");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync($"PASS {ServerFixture.Password}");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync("CAPA");
        var capa = await c.ReadUntilAsync(".");
        Assert.Equal("+OK", capa[0][..3]);
        Assert.DoesNotContain("STLS", capa);
        Assert.Contains("USER", capa);
        await c.SendLineAsync("STLS");
        Assert.Equal("-ERR TLS is already active", await c.ReadLineAsync());
    }

    [Fact]
    public async Task Pop3_995_refuses_STLS_inside_the_implicit_TLS_session()
    {
        await using var c = await RawClient.ConnectAsync(server, 995, implicitTls: true);
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendLineAsync("STLS");
        Assert.Equal("-ERR TLS is already active", await c.ReadLineAsync());
        await c.SendLineAsync("CAPA");
        Assert.Equal("+OK", (await c.ReadLineAsync())?[..3]);
    }

    /// <summary>
    /// After close_notify (RFC 8446 6.1) the TLS session is over: plaintext sent on the same TCP
    /// connection must never be read as commands. The server must answer with nothing but TLS
    /// records (its own close_notify) and close.
    /// </summary>
    [Theory]
    [InlineData(25, "EHLO x\r\nMAIL FROM:<a@elsewhere.test>\r\nQUIT\r\n")]
    [InlineData(587, "EHLO x\r\nQUIT\r\n")]
    [InlineData(26, "EHLO x\r\nQUIT\r\n")]
    [InlineData(465, "EHLO x\r\nQUIT\r\n")]
    [InlineData(143, "a CAPABILITY\r\nb LOGOUT\r\n")]
    [InlineData(993, "a CAPABILITY\r\nb LOGOUT\r\n")]
    [InlineData(110, "CAPA\r\nQUIT\r\n")]
    [InlineData(995, "CAPA\r\nQUIT\r\n")]
    public async Task Plaintext_after_close_notify_ends_the_connection_unread(int port, string plaintext)
    {
        bool implicitTls = port is 465 or 993 or 995;
        await using var c = await RawClient.ConnectAsync(server, port, implicitTls);
        Assert.NotNull(await c.ReadLineAsync());
        if (!implicitTls)
        {
            await UpgradeAsync(c, port);
        }

        await c.CloseNotifyAsync();
        await c.SendPlainBelowTlsAsync(plaintext);
        var (bytes, closed) = await c.ReadUntilClosedAsync(Bounded);
        Assert.True(closed, "The server kept the connection open after close_notify.");
        Assert.True(RawClient.IsOnlyTlsRecords(bytes), "Plaintext after close_notify got a plaintext answer: " + Encoding.ASCII.GetString(bytes));
    }

    /// <summary>
    /// After "220 Ready"/"OK Begin TLS"/"+OK Begin TLS" the next bytes must be a ClientHello. A
    /// plaintext command there fails the handshake and closes the connection; it is never executed.
    /// </summary>
    [Theory]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(587)]
    [InlineData(143)]
    [InlineData(110)]
    public async Task Plaintext_in_place_of_a_ClientHello_after_STARTTLS_ends_the_connection(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.NotNull(await c.ReadLineAsync());
        string plaintext = port switch
        {
            143 => "a STARTTLS\r\n",
            110 => "STLS\r\n",
            _ => "EHLO x\r\n",
        };
        await c.SendAsync(plaintext);
        if (port is not (143 or 110))
        {
            Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
            await c.SendLineAsync("STARTTLS");
        }

        string? ready = await c.ReadLineAsync();
        Assert.Matches("^(220 2.0.0 Ready|a OK|\\+OK)", ready);
        await c.SendAsync(port switch
        {
            143 => "b CAPABILITY\r\nc LOGOUT\r\n",
            110 => "CAPA\r\nQUIT\r\n",
            _ => "EHLO x\r\nQUIT\r\n",
        });
        var (bytes, closed) = await c.ReadUntilClosedAsync(Bounded);
        Assert.True(closed, "The server kept the connection open after a plaintext 'ClientHello'.");
        Assert.True(bytes.Length == 0 || bytes[0] == 0x15, "Expected nothing or a TLS alert, got: " + Encoding.ASCII.GetString(bytes));
    }

    [Theory]
    [InlineData(465, "EHLO x\r\nQUIT\r\n")]
    [InlineData(993, "a CAPABILITY\r\nb LOGOUT\r\n")]
    [InlineData(995, "CAPA\r\nQUIT\r\n")]
    public async Task Plaintext_in_place_of_a_ClientHello_on_an_implicit_TLS_port_ends_the_connection(int port, string plaintext)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        await c.SendAsync(plaintext);
        var (bytes, closed) = await c.ReadUntilClosedAsync(Bounded);
        Assert.True(closed, "The server kept the connection open.");
        Assert.True(bytes.Length == 0 || bytes[0] == 0x15, "Expected nothing or a TLS alert, got: " + Encoding.ASCII.GetString(bytes));
    }

    /// <summary>
    /// Pregreeting (talking before the 220 banner, Postfix postscreen's "PREGREET" test). Policy,
    /// as Postfix smtpd does by default since 3.9 (smtpd_forbid_unauth_pipelining = yes): a client
    /// that sends commands before it may (before the greeting, or behind EHLO/HELO, which RFC 2920
    /// 3.1 says must end a pipelined group) gets "554 5.5.0 Error: SMTP protocol synchronization"
    /// and is disconnected; none of its commands run.
    /// </summary>
    [Theory]
    [InlineData(25)]
    [InlineData(587)]
    public async Task Smtp_client_talking_before_the_greeting_is_disconnected_without_running_anything(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        // No read: the whole conversation in one write, before the banner could be seen.
        await c.SendAsync("EHLO spam.test\r\nMAIL FROM:<spam@elsewhere.test>\r\nRCPT TO:<" + ServerFixture.User("bob") + ">\r\nDATA\r\nSubject: pregreet\r\n\r\nspam\r\n.\r\nQUIT\r\n");
        var (bytes, closed) = await c.ReadUntilClosedAsync(Bounded);
        string text = Encoding.ASCII.GetString(bytes);
        Assert.True(closed, "Still connected: " + text);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("554 5.5.0 Error: SMTP protocol synchronization", lines[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("250 2.1", StringComparison.Ordinal) || l.StartsWith("354", StringComparison.Ordinal));
    }

    private static async Task UpgradeAsync(RawClient c, int port)
    {
        switch (port)
        {
            case 143:
                await c.SendLineAsync("a STARTTLS");
                Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
                break;
            case 110:
                await c.SendLineAsync("STLS");
                Assert.StartsWith("+OK", await c.ReadLineAsync());
                break;
            default:
                await c.SendLineAsync("EHLO client.test");
                await c.ReadSmtpReplyAsync();
                await c.SendLineAsync("STARTTLS");
                Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
                break;
        }

        await c.StartTlsAsync();
    }
}
