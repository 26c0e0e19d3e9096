using System.Diagnostics;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 5: relay and identity. Port 25 never relays, whatever address trick is used;
/// submission needs AUTH and an owned sender; replies and timings do not tell unknown users from
/// wrong passwords; names the client chooses never become file paths.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RelayAndIdentityTests(ServerFixture server)
{
    private const string NoSuchUser = "550 5.1.1 No such user here";
    private const string RelayDenied = "550 5.7.1 Relaying denied";
    private const string SourceRoute = "501 5.1.3 Source routes are not accepted";
    private const string Accepted = "250 2.1.5 Recipient ok";

    private static string Plain(string user, string password = ServerFixture.Password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    /// <summary>
    /// Every trick that made some MTA relay: the percent hack and bang paths are only ever a local
    /// part here (no such user; Postfix with allow_untrusted_routing = no refuses them too), source
    /// routes are refused (RFC 5321 4.1.2 lets us ignore them; refusing hides nothing), address
    /// literals and trailing-dot domains are not local domains, so port 25 refuses them.
    /// Case variants of a real user are the same local user (RFC 5321 2.4: domains are
    /// case-insensitive; Postern treats local parts case-insensitively like Postfix).
    /// </summary>
    [Theory]
    [InlineData("<victim%foreign.test@example.test>", NoSuchUser)]
    [InlineData("<victim%foreign.test@EXAMPLE.TEST>", NoSuchUser)]
    [InlineData("<foreign.test!victim@example.test>", NoSuchUser)]
    [InlineData("<foreign.test!victim>", "501 5.1.3 Invalid recipient address syntax")]
    [InlineData("<\"victim@foreign.test\"@example.test>", NoSuchUser)]
    [InlineData("<\"victim%foreign.test\"@example.test>", NoSuchUser)]
    [InlineData("<@example.test:victim@foreign.test>", SourceRoute)]
    [InlineData("<@example.test,@other.test:victim@foreign.test>", SourceRoute)]
    [InlineData("<victim@foreign.test@example.test>", "501 5.1.3 Invalid recipient address syntax")]
    [InlineData("<victim@[127.0.0.1]>", RelayDenied)]
    [InlineData("<victim@[IPv6:::1]>", RelayDenied)]
    [InlineData("<bob@[127.0.0.1]>", RelayDenied)]
    [InlineData("<victim@foreign.test.>", "501 5.1.3 Invalid recipient address syntax")]
    [InlineData("<bob@example.test.>", "501 5.1.3 Invalid recipient address syntax")]
    [InlineData("<victim@FOREIGN.TEST>", RelayDenied)]
    [InlineData("<victim@foreign.test>", RelayDenied)]
    [InlineData("<BOB@EXAMPLE.TEST>", Accepted)]
    [InlineData("<Bob@Example.Test>", Accepted)]
    [InlineData("<\"bob\"@example.test>", Accepted)]
    public async Task Port_25_never_relays_every_address_trick_ends_locally_or_refused(string path, string expected)
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO relay.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("MAIL FROM:<spammer@elsewhere.test>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("RCPT TO:" + path);
        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
        if (expected != Accepted)
        {
            // Nothing accepted: DATA has no recipient to deliver to.
            await c.SendLineAsync("DATA");
            Assert.Equal("554 5.5.1 No valid recipients", await c.ReadSmtpReplyAsync());
        }
    }

    [Fact]
    public async Task Port_25_refuses_AUTH_so_a_stolen_password_cannot_relay_there()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO relay.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("STARTTLS");
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.StartTlsAsync();
        await c.SendLineAsync("EHLO relay.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("alice")));
        Assert.Equal("502 5.5.1 AUTH is not offered on this port; submit mail on the submission port", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync($"MAIL FROM:<{ServerFixture.User("alice")}>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("RCPT TO:<victim@foreign.test>");
        Assert.Equal(RelayDenied, await c.ReadSmtpReplyAsync());
    }

    [Theory]
    [InlineData(587)]
    [InlineData(26)]
    public async Task Submission_without_AUTH_accepts_no_transaction(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("STARTTLS");
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.StartTlsAsync();
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync($"MAIL FROM:<{ServerFixture.User("alice")}>");
        Assert.Equal("530 5.7.0 Authentication required", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("RCPT TO:<victim@foreign.test>");
        Assert.Equal("503 5.5.1 Send MAIL first", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("bob")}>");
        Assert.Equal("503 5.5.1 Send MAIL first", await c.ReadSmtpReplyAsync());
    }

    /// <summary>
    /// Sender ownership on submission, like Postfix's reject_sender_login_mismatch: 553 5.7.1
    /// unless MAIL FROM is the logged-in address (domain and local part compared case-insensitively).
    /// </summary>
    [Theory]
    [InlineData("<bob@example.test>", "553 5.7.1 Sender address must be the address you logged in as")]
    [InlineData("<alice@foreign.test>", "553 5.7.1 Sender address must be the address you logged in as")]
    [InlineData("<alice%bob@example.test>", "553 5.7.1 Sender address must be the address you logged in as")]
    [InlineData("<bob@example.test.>", "501 5.1.7 Invalid sender address syntax")]
    [InlineData("<\"bob\"@example.test>", "553 5.7.1 Sender address must be the address you logged in as")]
    [InlineData("<@example.test:bob@example.test>", "501 5.1.3 Source routes are not accepted")]
    [InlineData("<>", "553 5.7.1 The null sender <> is not allowed on submission")]
    [InlineData("<alice@[127.0.0.1]>", "553 5.7.1 Sender address must be the address you logged in as")]
    [InlineData("<ALICE@EXAMPLE.TEST>", "250 2.1.0 Sender ok")]
    [InlineData("<alice@example.test>", "250 2.1.0 Sender ok")]
    public async Task Submission_accepts_only_the_logged_in_sender(string from, string expected)
    {
        await using var c = await RawClient.ConnectAsync(server, 465, implicitTls: true);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("alice")));
        Assert.Equal("235 2.7.0 Authentication successful", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("MAIL FROM:" + from);
        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
    }

    /// <summary>
    /// VRFY and EXPN answer the same for a real user, an unknown one and garbage (RFC 5321 3.5.3
    /// and 7.3 allow 252 / 502), so they tell nothing.
    /// </summary>
    [Theory]
    [InlineData(25)]
    [InlineData(587)]
    public async Task VRFY_and_EXPN_do_not_tell_real_users_from_unknown_ones(int port)
    {
        await using var c = await RawClient.ConnectAsync(server, port);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        var replies = new List<string>();
        foreach (var who in new[] { "bob", ServerFixture.User("bob"), "nobody", "nobody@example.test", "postmaster" })
        {
            await c.SendLineAsync("VRFY " + who);
            replies.Add(await c.ReadSmtpReplyAsync() ?? "");
        }

        Assert.All(replies, r => Assert.Equal("252 2.5.0 Cannot verify users; send mail and delivery will be attempted", r));
        replies.Clear();
        foreach (var who in new[] { ServerFixture.User("bob"), "nobody@example.test" })
        {
            await c.SendLineAsync("EXPN " + who);
            replies.Add(await c.ReadSmtpReplyAsync() ?? "");
        }

        Assert.All(replies, r => Assert.Equal("502 5.5.1 EXPN is not supported", r));
    }

    /// <summary>
    /// RCPT does reject unknown local users (550 5.1.1), as Postfix does by default
    /// (smtpd_reject_unlisted_recipient = yes): accepting then bouncing would send backscatter to
    /// forged senders. Harvesting is bounded instead: each refusal counts as an error and the
    /// session closes after ten (Postfix: smtpd_hard_error_limit).
    /// </summary>
    [Fact]
    public async Task RCPT_harvesting_is_cut_off_after_ten_unknown_users()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO harvest.test");
        await c.ReadSmtpReplyAsync();
        await c.SendLineAsync("MAIL FROM:<h@harvest.test>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        var batch = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            batch.Append($"RCPT TO:<guess{i}@example.test>\r\n");
        }

        await c.SendAsync(batch.ToString());
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(NoSuchUser, await c.ReadSmtpReplyAsync());
        }

        Assert.Equal("421 4.7.0 Too many errors", await c.ReadSmtpReplyAsync());
        var (rest, closed) = await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(closed);
        Assert.Empty(rest);
    }

    /// <summary>
    /// Unknown user and wrong password look the same on every protocol: same reply text, and no
    /// timing difference (the Authenticator hashes a decoy for unknown users and delays every
    /// failure). Timing is compared on medians with a generous factor, never a tight threshold.
    /// </summary>
    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_reply_and_timing_on_SMTP()
    {
        await using var c = await RawClient.ConnectAsync(server, 465, implicitTls: true);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        await c.ReadSmtpReplyAsync();
        var unknown = new List<TimeSpan>();
        var wrong = new List<TimeSpan>();
        var replies = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            foreach (var (user, times) in new[] { ("nobody@example.test", unknown), (ServerFixture.User("bob"), wrong) })
            {
                var watch = Stopwatch.StartNew();
                await c.SendLineAsync("AUTH PLAIN " + Plain(user, "wrong password"));
                replies.Add(await c.ReadSmtpReplyAsync() ?? "closed");
                times.Add(watch.Elapsed);
            }
        }

        Assert.Equal(["535 5.7.8 Authentication credentials invalid"], replies);
        AssertSimilar(unknown, wrong);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_reply_on_IMAP_and_POP3()
    {
        var imapReplies = new List<string>();
        var popReplies = new List<string>();
        foreach (var user in new[] { "nobody@example.test", ServerFixture.User("bob"), "nobody@foreign.test" })
        {
            await using (var c = await RawClient.ConnectAsync(server, 993, implicitTls: true))
            {
                await c.ReadLineAsync();
                await c.SendLineAsync($"a LOGIN {user} \"wrong password\"");
                imapReplies.Add((await c.ReadUntilAsync("a "))[^1]);
                await c.SendLineAsync("b AUTHENTICATE PLAIN " + Plain(user, "wrong password"));
                imapReplies.Add((await c.ReadUntilAsync("b "))[^1]);
            }

            await using (var c = await RawClient.ConnectAsync(server, 995, implicitTls: true))
            {
                await c.ReadLineAsync();
                await c.SendLineAsync("USER " + user);
                popReplies.Add("USER " + await c.ReadLineAsync());
                await c.SendLineAsync("PASS wrong password");
                popReplies.Add("PASS " + await c.ReadLineAsync());
                await c.SendLineAsync("AUTH PLAIN " + Plain(user, "wrong password"));
                popReplies.Add("AUTH " + await c.ReadLineAsync());
            }
        }

        // Per step, the three users got byte-identical replies.
        for (int step = 0; step < 2; step++)
        {
            Assert.Single(imapReplies.Where((_, i) => i % 2 == step).Distinct());
        }

        for (int step = 0; step < 3; step++)
        {
            Assert.Single(popReplies.Where((_, i) => i % 3 == step).Distinct());
        }

        Assert.StartsWith("a NO", imapReplies[0]);
        Assert.StartsWith("PASS -ERR", popReplies[1]);
    }

    private static void AssertSimilar(List<TimeSpan> a, List<TimeSpan> b)
    {
        static double Median(List<TimeSpan> xs) => xs.Select(x => x.TotalMilliseconds).Order().ElementAt(xs.Count / 2);
        double ma = Median(a), mb = Median(b);
        // Both are delayed (the failure delay is 1 s) and neither is more than twice the other.
        Assert.True(Math.Min(ma, mb) >= 500, $"Failures answered too fast to be delayed: {ma:F0} ms vs {mb:F0} ms");
        Assert.True(Math.Max(ma, mb) <= 2 * Math.Min(ma, mb), $"Timing tells unknown users from wrong passwords: {ma:F0} ms vs {mb:F0} ms");
    }

    /// <summary>
    /// Mailbox names are data in the store, never paths: after creating names made of "..", "/",
    /// NUL, modified-UTF-7 tricks and absolute paths, no file or folder outside the store's own
    /// layout exists, and nothing was written outside the data folder.
    /// </summary>
    [Fact]
    public async Task Mailbox_and_user_names_never_become_file_paths()
    {
        string tag = "pw" + Guid.NewGuid().ToString("N")[..8];
        string outside = Path.Combine(Path.GetTempPath(), tag);
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        await c.ReadLineAsync();
        // User names first: path-like logins fail like any unknown user and create nothing
        // (four of them: the fifth failed login would end the session, ImapOptions.MaxAuthFailures).
        foreach (var user in new[] { $"../../{tag}@example.test", $"/tmp/{tag}", $"{tag}/../bob@example.test", "bob@example.test/../../x" })
        {
            await c.SendLineAsync($"u LOGIN \"{user}\" \"{ServerFixture.Password}\"");
            Assert.StartsWith("u NO", (await c.ReadUntilAsync("u "))[^1]);
        }

        await c.SendLineAsync($"L LOGIN {ServerFixture.User("dave")} \"{ServerFixture.Password}\"");
        Assert.StartsWith("L OK", (await c.ReadUntilAsync("L "))[^1]);
        var names = new[]
        {
            $"../{tag}", $"../../{tag}", $"{tag}/../../..", $"{tag}/..", $"/{tag}", $"{tag}//x", $"{outside}",
            $"{tag}&AC4ALg-", $"{tag}&AC8-", $"&AC4ALgAv-{tag}", $"{tag}&AAA-", $"{tag}&-", $"{tag}\\..\\x", $"~/{tag}", $"{tag}.",
        };
        int n = 0;
        foreach (var name in names)
        {
            string t = "c" + n++;
            await c.SendLineAsync($"{t} CREATE \"{name.Replace("\\", "\\\\")}\"");
            Assert.Matches($"^{t} (OK|NO|BAD)", (await c.ReadUntilAsync(t + " "))[^1]);
            await c.SendLineAsync($"{t}a APPEND \"{name.Replace("\\", "\\\\")}\" {{12+}}\r\nSubject: x\r\n");
            Assert.Matches($"^{t}a (OK|NO|BAD)", (await c.ReadUntilAsync(t + "a "))[^1]);
        }

        // NUL inside a quoted string and as a literal byte is refused outright.
        await c.SendBytesAsync([.. Encoding.ASCII.GetBytes($"z CREATE \"{tag}"), 0, .. Encoding.ASCII.GetBytes("x\"\r\n")]);
        Assert.Matches("^z (NO|BAD)", (await c.ReadUntilAsync("z "))[^1]);
        await c.SendLineAsync($"y CREATE {{{tag.Length + 2}+}}\r\n{tag}\0x");
        Assert.Matches("^y (NO|BAD)", (await c.ReadUntilAsync("y "))[^1]);
        await c.SendLineAsync("q LOGOUT");
        await c.ReadUntilAsync("q ");

        Assert.False(File.Exists(outside) || Directory.Exists(outside), "A mailbox name reached " + outside);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "..", tag)));
        var offenders = Directory.EnumerateFileSystemEntries(server.DataDir, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(server.DataDir)!, "*" + tag + "*"))
            .Where(p => p.Contains(tag, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(offenders);
    }
}
