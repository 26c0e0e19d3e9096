using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>
/// Real client programs from Debian, run as a person would run them: curl, python3's
/// smtplib/imaplib/poplib, openssl s_client and swaks, on every endpoint in its own mode,
/// each verifying the server certificate against the one Postern generated.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ExternalClientTests(ServerFixture server)
{
    private static readonly string Carol = ServerFixture.User("carol");

    // ---------------------------------------------------------------- curl

    [SkippableTheory]
    [InlineData("imaps", 993, false)]
    [InlineData("imap", 143, true)]
    public async Task Curl_lists_the_mailboxes_over_IMAP(string scheme, int port, bool starttls)
    {
        var curl = ExternalClient.Require("curl");
        var args = new List<string> { "-sS", "--max-time", "30", "--cacert", server.CertPath, "-u", $"{Carol}:{ServerFixture.Password}" };
        if (starttls)
        {
            args.Add("--ssl-reqd");
        }

        args.Add($"{scheme}://localhost:{server.Port(port)}/");
        var r = await ProcessRunner.RunAsync(curl, args);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("INBOX", r.StdOut);
        Assert.Contains("Sent", r.StdOut);
    }

    [SkippableTheory]
    [InlineData("pop3s", 995, false)]
    [InlineData("pop3", 110, true)]
    public async Task Curl_lists_the_maildrop_over_POP3(string scheme, int port, bool starttls)
    {
        var curl = ExternalClient.Require("curl");
        var args = new List<string> { "-sS", "--max-time", "30", "--cacert", server.CertPath, "-u", $"{Carol}:{ServerFixture.Password}" };
        if (starttls)
        {
            args.Add("--ssl-reqd");
        }

        args.Add($"{scheme}://localhost:{server.Port(port)}/");
        var r = await ProcessRunner.RunAsync(curl, args);
        // An empty maildrop lists nothing; success is exit status 0 after USER/PASS over TLS.
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [SkippableTheory]
    [InlineData("smtps", 465, false)]
    [InlineData("smtp", 587, true)]
    [InlineData("smtp", 26, true)]
    public async Task Curl_submits_a_message(string scheme, int port, bool starttls)
    {
        var curl = ExternalClient.Require("curl");
        string subject = $"curl via {port} {Guid.NewGuid():N}";
        string mail = $"From: <{Carol}>\r\nTo: <{Carol}>\r\nSubject: {subject}\r\n\r\nsent by curl\r\n";
        var args = new List<string>
        {
            "-sS", "--max-time", "30", "--cacert", server.CertPath, "-u", $"{Carol}:{ServerFixture.Password}",
            "--mail-from", Carol, "--mail-rcpt", Carol, "-T", "-",
        };
        if (starttls)
        {
            args.Add("--ssl-reqd");
        }

        args.Add($"{scheme}://localhost:{server.Port(port)}/client.test");
        var r = await ProcessRunner.RunAsync(curl, args, stdin: mail);
        Assert.True(r.ExitCode == 0, r.ToString());
        await AssertDeliveredAsync(Carol, subject);
    }

    [SkippableFact]
    public async Task Curl_delivers_to_port_25_with_STARTTLS_and_no_AUTH()
    {
        var curl = ExternalClient.Require("curl");
        string subject = $"curl via 25 {Guid.NewGuid():N}";
        string mail = $"From: <someone@elsewhere.test>\r\nTo: <{Carol}>\r\nSubject: {subject}\r\n\r\nrelay from another server\r\n";
        var r = await ProcessRunner.RunAsync(curl,
            ["-sS", "--max-time", "30", "--cacert", server.CertPath, "--ssl-reqd", "--mail-from", "someone@elsewhere.test", "--mail-rcpt", Carol, "-T", "-",
             $"smtp://localhost:{server.Port(25)}/elsewhere.test"],
            stdin: mail);
        Assert.True(r.ExitCode == 0, r.ToString());
        await AssertDeliveredAsync(Carol, subject);
    }

    // ---------------------------------------------------------------- python3 stdlib

    private async Task<ProcessResult> PythonAsync(string script)
    {
        var python = ExternalClient.Require("python3");
        return await ProcessRunner.RunAsync(python, ["-c", script], timeout: TimeSpan.FromSeconds(60), env: new Dictionary<string, string>
        {
            ["CAFILE"] = server.CertPath,
            ["USER"] = Carol,
            ["PASSWORD"] = ServerFixture.Password,
            ["OFFSET"] = server.Offset.ToString(),
        });
    }

    private const string PythonPrelude = """
        import os, ssl, smtplib, imaplib, poplib
        ctx = ssl.create_default_context(cafile=os.environ["CAFILE"])
        off = int(os.environ["OFFSET"]); user = os.environ["USER"]; pw = os.environ["PASSWORD"]

        """;

    [SkippableFact]
    public async Task Python_smtplib_submits_on_465_587_and_26_and_relays_on_25()
    {
        string tag = Guid.NewGuid().ToString("N");
        var r = await PythonAsync(PythonPrelude + $$"""
            def msg(port):
                return f"From: <{user}>\r\nTo: <{user}>\r\nSubject: python {port} {{tag}}\r\n\r\nbody\r\n"
            with smtplib.SMTP_SSL("localhost", 465 + off, context=ctx, timeout=30) as s:
                s.login(user, pw); s.sendmail(user, [user], msg(465))
            for port in (587, 26):
                with smtplib.SMTP("localhost", port + off, timeout=30) as s:
                    s.ehlo(); assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
                    s.starttls(context=ctx); s.ehlo(); assert s.has_extn("auth")
                    s.login(user, pw); s.sendmail(user, [user], msg(port))
            with smtplib.SMTP("localhost", 25 + off, timeout=30) as s:
                s.starttls(context=ctx); s.ehlo()
                assert not s.has_extn("auth"), "AUTH offered on port 25"
                s.sendmail("someone@elsewhere.test", [user], msg(25))
            print("sent")
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var port in new[] { 465, 587, 26, 25 })
        {
            await AssertDeliveredAsync(Carol, $"python {port} {tag}");
        }
    }

    [SkippableFact]
    public async Task Python_imaplib_reads_over_993_and_143()
    {
        var r = await PythonAsync(PythonPrelude + """
            m = imaplib.IMAP4_SSL("localhost", 993 + off, ssl_context=ctx, timeout=30)
            m.login(user, pw); typ, data = m.select("INBOX"); assert typ == "OK", data
            typ, data = m.search(None, "ALL"); assert typ == "OK"
            m.logout()
            m = imaplib.IMAP4("localhost", 143 + off, timeout=30)
            assert "LOGINDISABLED" in m.capabilities, m.capabilities
            m.starttls(ssl_context=ctx)
            assert "LOGINDISABLED" not in m.capabilities, m.capabilities
            m.login(user, pw); typ, data = m.list(); assert typ == "OK" and any(b"INBOX" in d for d in data), data
            typ, data = m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY)"); assert typ == "OK", data
            m.logout()
            print("ok")
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ok", r.StdOut);
    }

    [SkippableFact]
    public async Task Python_poplib_reads_over_995_and_110()
    {
        var r = await PythonAsync(PythonPrelude + """
            p = poplib.POP3_SSL("localhost", 995 + off, context=ctx, timeout=30)
            p.user(user); p.pass_(pw); count, size = p.stat(); p.quit()
            p = poplib.POP3("localhost", 110 + off, timeout=30)
            caps = p.capa(); assert "STLS" in caps and "USER" not in caps, caps
            p.stls(context=ctx)
            caps = p.capa(); assert "USER" in caps and "STLS" not in caps, caps
            p.user(user); p.pass_(pw); resp, listing, octets = p.uidl(); p.quit()
            print("ok", count)
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ok", r.StdOut);
    }

    // ---------------------------------------------------------------- openssl s_client

    [SkippableTheory]
    [InlineData(993, null)]
    [InlineData(995, null)]
    [InlineData(465, null)]
    [InlineData(143, "imap")]
    [InlineData(110, "pop3")]
    [InlineData(587, "smtp")]
    [InlineData(26, "smtp")]
    [InlineData(25, "smtp")]
    public async Task Openssl_s_client_completes_a_verified_TLS_handshake(int port, string? starttls)
    {
        var openssl = ExternalClient.Require("openssl");
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{server.Port(port)}", "-servername", "localhost", "-CAfile", server.CertPath, "-verify_return_error", "-verify_hostname", "localhost" };
        if (starttls is not null)
        {
            args.AddRange(["-starttls", starttls]);
        }

        string quit = starttls switch { "smtp" => "QUIT\r\n", "pop3" => "QUIT\r\n", _ => port == 465 ? "QUIT\r\n" : port == 995 ? "QUIT\r\n" : "a LOGOUT\r\n" };
        var r = await ProcessRunner.RunAsync(openssl, args, stdin: quit, timeout: TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Verify return code: 0 (ok)", r.StdOut);
        Assert.Matches("(Protocol *: TLSv1\\.[23]|New, TLSv1\\.[23])", r.StdOut);
    }

    [SkippableTheory]
    [InlineData(993, null, "-tls1")]
    [InlineData(993, null, "-tls1_1")]
    [InlineData(465, null, "-tls1")]
    [InlineData(995, null, "-tls1_1")]
    [InlineData(587, "smtp", "-tls1")]
    [InlineData(143, "imap", "-tls1_1")]
    public async Task TLS_1_0_and_1_1_handshakes_fail(int port, string? starttls, string version)
    {
        var openssl = ExternalClient.Require("openssl");
        // SECLEVEL=0 so that the client itself is willing to offer the old version: the refusal must come from Postern.
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{server.Port(port)}", version, "-cipher", "DEFAULT@SECLEVEL=0" };
        if (starttls is not null)
        {
            args.AddRange(["-starttls", starttls]);
        }

        var r = await ProcessRunner.RunAsync(openssl, args, stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Cipher is (NONE)", r.StdOut);
        Assert.Matches("(alert protocol version|unsupported protocol|no protocols available|wrong version number|handshake failure)", r.All);
    }

    // ---------------------------------------------------------------- swaks

    [SkippableTheory]
    [InlineData(465, "--tlsc")]
    [InlineData(587, "--tls")]
    [InlineData(26, "--tls")]
    public async Task Swaks_submits_with_AUTH_over_TLS(int port, string tlsSwitch)
    {
        var swaks = ExternalClient.Require("swaks");
        string subject = $"swaks via {port} {Guid.NewGuid():N}";
        var r = await ProcessRunner.RunAsync(swaks,
            ["--server", $"localhost:{server.Port(port)}", tlsSwitch, "--tls-verify", "--tls-ca-path", server.CertPath,
             "--auth", "PLAIN", "--auth-user", Carol, "--auth-password", ServerFixture.Password,
             "--from", Carol, "--to", Carol, "--header", $"Subject: {subject}", "--body", "sent by swaks", "--timeout", "30"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        await AssertDeliveredAsync(Carol, subject);
    }

    [SkippableFact]
    public async Task Swaks_relay_attempt_on_25_is_refused()
    {
        var swaks = ExternalClient.Require("swaks");
        var r = await ProcessRunner.RunAsync(swaks,
            ["--server", $"localhost:{server.Port(25)}", "--tls", "--tls-verify", "--tls-ca-path", server.CertPath,
             "--from", "spammer@elsewhere.test", "--to", "victim@foreign.test", "--timeout", "30"]);
        Assert.NotEqual(0, r.ExitCode);
        // swaks marks server replies read over TLS with "<~"; the refusal is the 550 to RCPT.
        Assert.Matches(@"<~?\*+ 550 5\.7\.1", r.All);
    }

    private async Task AssertDeliveredAsync(string user, string subject)
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, user);
        await imap.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
        var found = await imap.Inbox.SearchAsync(MailKit.Search.SearchQuery.SubjectContains(subject));
        Assert.True(found.Count == 1, $"expected exactly one message with subject '{subject}' in {user}'s INBOX, found {found.Count}");
        await imap.DisconnectAsync(true);
    }
}
