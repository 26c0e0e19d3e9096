using System.Diagnostics;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 3: framing and parser limits on the wire. Every bad input gets a protocol error,
/// the session survives where the protocol allows, too many errors close it, and nothing the
/// client sends can make a parser recurse without bound (a .NET stack overflow kills the process).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class FramingLimitTests(ServerFixture server)
{
    private static string Plain(string user, string password = ServerFixture.Password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    private async Task<RawClient> SmtpAsync(int port = 25)
    {
        var c = await RawClient.ConnectAsync(server, port, port == 465);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO client.test");
        Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
        return c;
    }

    private async Task<RawClient> SubmissionAsync(string user = "carol")
    {
        var c = await SmtpAsync(465);
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User(user)));
        Assert.Equal("235 2.7.0 Authentication successful", await c.ReadSmtpReplyAsync());
        return c;
    }

    private async Task<RawClient> ImapAsync(string user = "dave")
    {
        var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync($"L LOGIN {ServerFixture.User(user)} \"{ServerFixture.Password}\"");
        Assert.StartsWith("L OK", (await c.ReadUntilAsync("L "))[^1]);
        return c;
    }

    private static async Task AssertImapAliveAsync(RawClient c)
    {
        await c.SendLineAsync("Z NOOP");
        Assert.StartsWith("Z OK", (await c.ReadUntilAsync("Z "))[^1]);
    }

    // ---------------------------------------------------------------- SMTP

    [Theory]
    [InlineData("NOOP\0\r\n", "500 5.5.2 Command not recognized")]
    [InlineData("NOOP\n", "500 5.5.2 Command lines must end with CRLF")]
    [InlineData("NOOP\rRSET\r\n", "500 5.5.2 Command not recognized")]
    [InlineData("NOOP \u00ff\r\n", null)]
    public async Task Smtp_bad_command_framing_gets_one_error_and_the_session_survives(string raw, string? expected)
    {
        await using var c = await SmtpAsync();
        if (expected is null)
        {
            // Invalid UTF-8: 0xFF can never appear in UTF-8 (RFC 3629).
            await c.SendBytesAsync([.. "NOOP "u8.ToArray(), 0xFF, 0xFE, (byte)'\r', (byte)'\n']);
            expected = "500 5.5.2 Command is not valid UTF-8";
        }
        else
        {
            await c.SendAsync(raw);
        }

        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("NOOP");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_overlong_command_line_is_refused_and_the_session_survives()
    {
        await using var c = await SmtpAsync();
        await c.SendLineAsync("MAIL FROM:<" + new string('a', 5000) + "@x.test>");
        Assert.Equal("500 5.5.2 Line too long", await c.ReadSmtpReplyAsync());
        // Far beyond every buffer: 2 MiB without a line end ends the session (bounded discard).
        await c.SendLineAsync("NOOP");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_commands_in_one_byte_writes_work()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendOneByteAtATimeAsync("EHLO client.test\r\n");
        Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
        await c.SendOneByteAtATimeAsync("MAIL FROM:<a@sender.test>\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendOneByteAtATimeAsync($"RCPT TO:<{ServerFixture.User("carol")}>\r\n");
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        await c.SendOneByteAtATimeAsync("RSET\r\n");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_closes_after_ten_errors()
    {
        await using var c = await SmtpAsync();
        for (int i = 1; i < 10; i++)
        {
            await c.SendLineAsync("JUNK " + i);
            Assert.Equal("500 5.5.2 Command not recognized", await c.ReadSmtpReplyAsync());
        }

        await c.SendLineAsync("JUNK 10");
        Assert.Equal("500 5.5.2 Command not recognized", await c.ReadSmtpReplyAsync());
        Assert.Equal("421 4.7.0 Too many errors", await c.ReadSmtpReplyAsync());
        Assert.True((await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(10))).Closed);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=52428801", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=99999999999999999999999999", "552 5.3.4 Message size exceeds fixed maximum message size")]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=-1", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=1 SIZE=2", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("MAIL FROM:<a@sender.test> SIZE=1\tBODY=8BITMIME", "501 5.5.4 Syntax error in parameters or arguments")]
    public async Task Smtp_bad_or_excessive_SIZE_is_refused_before_data(string command, string expected)
    {
        await using var c = await SmtpAsync();
        await c.SendLineAsync(command);
        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_oversize_message_without_SIZE_is_refused_at_the_end_of_data_and_not_stored()
    {
        await using var c = await SmtpAsync();
        await c.SendAsync($"MAIL FROM:<a@sender.test>\r\nRCPT TO:<{ServerFixture.User("carol")}>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        // 50 MiB is the default limit; send a bit more in 998-octet lines.
        var line = Encoding.ASCII.GetBytes(new string('x', 998) + "\r\n");
        var chunk = new byte[line.Length * 1024];
        for (int i = 0; i < 1024; i++)
        {
            line.CopyTo(chunk, i * line.Length);
        }

        await c.SendAsync("Subject: too big\r\n\r\n");
        for (long sent = 0; sent <= 50L * 1024 * 1024; sent += chunk.Length)
        {
            await c.SendBytesAsync(chunk);
        }

        await c.SendAsync(".\r\n");
        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("NOOP");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Theory]
    [InlineData(65, 10, "501 5.1.3 Address too long (local part 64, domain 255, path 256 octets)")]
    [InlineData(10, 300, "501 5.1.3 Address too long (local part 64, domain 255, path 256 octets)")]
    public async Task Smtp_overlong_addresses_are_refused(int localLength, int domainLength, string expected)
    {
        await using var c = await SmtpAsync();
        string domain = string.Join('.', Enumerable.Repeat("d", domainLength / 2)) + ".test";
        await c.SendLineAsync($"MAIL FROM:<{new string('l', localLength)}@{domain}>");
        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("MAIL FROM:<a@sender.test>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync($"RCPT TO:<{new string('l', localLength)}@{domain}>");
        Assert.Equal(expected, await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_more_than_100_recipients_get_452_and_the_first_100_stay()
    {
        await using var c = await SubmissionAsync();
        await c.SendLineAsync($"MAIL FROM:<{ServerFixture.User("carol")}>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        var batch = new StringBuilder();
        for (int i = 0; i < 105; i++)
        {
            batch.Append($"RCPT TO:<r{i}@remote.test>\r\n");
        }

        await c.SendAsync(batch.ToString());
        for (int i = 0; i < 105; i++)
        {
            Assert.Equal(i < 100 ? "250 2.1.5 Recipient ok" : "452 4.5.3 Too many recipients", await c.ReadSmtpReplyAsync());
        }

        // 452 is not an error that closes the session (RFC 5321 4.5.3.1.10).
        await c.SendLineAsync("RSET");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
    }

    [Fact]
    public async Task Smtp_oversized_AUTH_payloads_are_refused_without_killing_the_session()
    {
        await using var c = await SmtpAsync(465);
        // RFC 4954 4: 12288 octets is the AUTH line limit.
        await c.SendLineAsync("AUTH PLAIN " + new string('A', 20_000));
        Assert.Equal("500 5.5.2 Line too long", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("AUTH PLAIN");
        Assert.Equal("334 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync(new string('A', 100_000));
        Assert.Equal("500 5.5.2 Line too long", await c.ReadSmtpReplyAsync());
        // Under the limit but not base64: the same short error.
        await c.SendLineAsync("AUTH PLAIN " + new string('!', 12_000));
        Assert.Equal("501 5.5.2 Cannot decode the response (base64 expected)", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("AUTH PLAIN " + Plain(ServerFixture.User("carol")));
        Assert.Equal("235 2.7.0 Authentication successful", await c.ReadSmtpReplyAsync());
    }

    // ---------------------------------------------------------------- POP3

    [Fact]
    public async Task Pop3_framing_errors_and_error_limit()
    {
        await using var c = await RawClient.ConnectAsync(server, 995, implicitTls: true);
        Assert.StartsWith("+OK", await c.ReadLineAsync());
        await c.SendLineAsync("USER " + new string('u', 1000));
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendAsync("CAPA\0\r\n");
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendBytesAsync([.. "USER "u8.ToArray(), 0xFF, 0xFE, (byte)'\r', (byte)'\n']);
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendLineAsync("AUTH PLAIN " + new string('A', 20_000));
        Assert.StartsWith("-ERR", await c.ReadLineAsync());
        await c.SendOneByteAtATimeAsync("CAPA\r\n");
        Assert.Equal("+OK", (await c.ReadUntilAsync("."))[0][..3]);
        string? last = null;
        for (int i = 0; i < 10 && last?.Contains("Too many errors") != true; i++)
        {
            await c.SendLineAsync("JUNK");
            last = await c.ReadLineAsync();
            Assert.StartsWith("-ERR", last);
        }

        Assert.Contains("Too many errors", last);
        Assert.True((await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(10))).Closed);
    }

    // ---------------------------------------------------------------- IMAP

    [Theory]
    [InlineData("a LOGIN {99999999999999999999}")]
    [InlineData("a LOGIN {-1}")]
    [InlineData("a LOGIN {18446744073709551616}")]
    [InlineData("a LOGIN {1000000}")]
    [InlineData("a APPEND INBOX {99999999999999999999}")]
    [InlineData("a APPEND INBOX {-1}")]
    [InlineData("a APPEND INBOX {999999999999}")]
    [InlineData("a APPEND INBOX {9223372036854775808}")]
    public async Task Imap_absurd_literals_are_refused_without_a_continuation(string command)
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        if (command.Contains("APPEND"))
        {
            await c.SendLineAsync($"L LOGIN {ServerFixture.User("dave")} \"{ServerFixture.Password}\"");
            Assert.StartsWith("L OK", (await c.ReadUntilAsync("L "))[^1]);
        }

        await c.SendLineAsync(command);
        var reply = await c.ReadUntilAsync("a ");
        Assert.DoesNotContain(reply, l => l.StartsWith('+'));
        Assert.Matches("^a (BAD|NO) ", reply[^1]);
        await AssertImapAliveAsync(c);
    }

    /// <summary>
    /// A non-synchronizing literal (RFC 7888 LITERAL+) too large to take cannot be refused before
    /// the client sends it, and skipping it would mean reading gigabytes: the server says BYE and
    /// closes (RFC 7888 4 allows closing), never reading the following bytes as commands.
    /// </summary>
    [Theory]
    [InlineData("a LOGIN {4294967296+}")]
    [InlineData("a LOGIN {99999999999999999999+}")]
    public async Task Imap_absurd_nonsynchronizing_literal_ends_the_session(string command)
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendAsync(command + "\r\nb CAPABILITY\r\n");
        var (bytes, closed) = await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        string text = Encoding.ASCII.GetString(bytes);
        Assert.True(closed, text);
        Assert.Matches("^(\\* BYE|a BAD)", text);
        Assert.DoesNotContain("b OK", text);
    }

    [Theory]
    [InlineData("FETCH", 100_000)]
    [InlineData("SEARCHPAREN", 100_000)]
    [InlineData("SEARCHNOT", 20_000)]
    [InlineData("SEARCHOR", 20_000)]
    public async Task Imap_deep_nesting_is_refused_and_the_server_stays_up(string kind, int depth)
    {
        await using var c = await ImapAsync();
        await c.SendLineAsync("s SELECT INBOX");
        Assert.StartsWith("s OK", (await c.ReadUntilAsync("s "))[^1]);
        string command = kind switch
        {
            "FETCH" => "a FETCH 1 " + new string('(', depth) + "FLAGS" + new string(')', depth),
            "SEARCHPAREN" => "a SEARCH " + new string('(', depth) + "ALL" + new string(')', depth),
            "SEARCHNOT" => "a SEARCH " + string.Concat(Enumerable.Repeat("NOT ", depth)) + "ALL",
            _ => "a SEARCH " + string.Concat(Enumerable.Repeat("OR ALL ", depth)) + "ALL",
        };
        await c.SendLineAsync(command);
        Assert.Matches("^a (BAD|NO) ", (await c.ReadUntilAsync("a "))[^1]);
        await AssertImapAliveAsync(c);
        // The process survived: a brand-new connection is served.
        await using var other = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await other.ReadLineAsync());
    }

    [Theory]
    [InlineData("a FETCH 1:4294967295 (FLAGS)", "^a OK")]
    [InlineData("a UID FETCH 1:4294967295 (FLAGS)", "^a OK")]
    [InlineData("a SEARCH 1:4294967295", "^a OK")]
    [InlineData("a UID SEARCH UID 1:4294967295,1:4294967295,4294967295:1", "^a OK")]
    [InlineData("a UID STORE 1:4294967295 +FLAGS.SILENT (\\Seen)", "^a OK")]
    [InlineData("a FETCH 4294967296 (FLAGS)", "^a BAD")]
    [InlineData("a FETCH 0:5 (FLAGS)", "^a BAD")]
    public async Task Imap_huge_sequence_sets_are_answered_quickly_without_expansion(string command, string expected)
    {
        await using var c = await ImapAsync();
        await c.SendLineAsync("s SELECT INBOX");
        Assert.StartsWith("s OK", (await c.ReadUntilAsync("s "))[^1]);
        var watch = Stopwatch.StartNew();
        await c.SendLineAsync(command);
        Assert.Matches(expected, (await c.ReadUntilAsync("a "))[^1]);
        // Expanding 4 billion numbers would take far longer than this (and gigabytes).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{command} took {watch.Elapsed}");
    }

    [Fact]
    public async Task Imap_a_huge_sequence_set_list_is_bounded_by_the_line_limit()
    {
        await using var c = await ImapAsync();
        await c.SendLineAsync("s SELECT INBOX");
        Assert.StartsWith("s OK", (await c.ReadUntilAsync("s "))[^1]);
        var watch = Stopwatch.StartNew();
        await c.SendLineAsync("a FETCH " + string.Join(',', Enumerable.Repeat("1:4294967295", 5000)) + " (FLAGS)");
        Assert.Matches("^a (OK|BAD|NO)", (await c.ReadUntilAsync("a "))[^1]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        await AssertImapAliveAsync(c);
    }

    [Fact]
    public async Task Imap_oversized_AUTHENTICATE_payloads_are_refused_and_the_session_survives()
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync("a AUTHENTICATE PLAIN " + new string('A', 100_000));
        Assert.Matches("^(a|\\*) BAD", await c.ReadLineAsync());
        await c.SendLineAsync("b AUTHENTICATE PLAIN");
        Assert.StartsWith("+", await c.ReadLineAsync());
        await c.SendLineAsync(new string('A', 100_000));
        Assert.Matches("^b (BAD|NO)", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendLineAsync("c AUTHENTICATE PLAIN " + Plain(ServerFixture.User("dave")));
        Assert.StartsWith("c OK", (await c.ReadUntilAsync("c "))[^1]);
    }

    [Fact]
    public async Task Imap_framing_errors_and_the_BAD_limit()
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        await c.SendLineAsync("a NOOP " + new string('x', 100_000));
        Assert.Matches("^(a|\\*) BAD", await c.ReadLineAsync());
        await c.SendAsync("b NOOP\0\r\n");
        Assert.Matches("^b BAD", (await c.ReadUntilAsync("b "))[^1]);
        await c.SendBytesAsync([.. "c LOGIN "u8.ToArray(), 0xFF, 0xFE, (byte)' ', (byte)'x', (byte)'\r', (byte)'\n']);
        Assert.Matches("^c (BAD|NO)", (await c.ReadUntilAsync("c "))[^1]);
        await c.SendOneByteAtATimeAsync("d CAPABILITY\r\n");
        Assert.StartsWith("d OK", (await c.ReadUntilAsync("d "))[^1]);
        bool bye = false;
        for (int i = 0; i < 25 && !bye; i++)
        {
            await c.SendLineAsync($"j{i} JUNK");
            while (await c.ReadLineAsync() is { } line)
            {
                bye |= line.StartsWith("* BYE", StringComparison.Ordinal);
                if (bye || line.StartsWith($"j{i} ", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        var (_, closed) = await c.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        Assert.True(bye || closed, "20 BAD commands did not close the session");
        Assert.True(closed);
    }
}
