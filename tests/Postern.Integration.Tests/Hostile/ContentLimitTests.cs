using System.Diagnostics;
using System.Text;
using Postern.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 9 point 7, content: a 1 MB line over SMTP is stored as received (it was refused with 554
/// and the session closed), a NUL octet in a plain APPEND literal is refused with NO (it was
/// stored), and a header of 500,000 To: fields gives a bounded first FETCH ENVELOPE.
/// </summary>
[Collection(CountLimitCollection.Name)]
public sealed class ContentLimitTests(CountLimitServer fixture, ITestOutputHelper output)
{
    /// <summary>Generous: a loaded 2-core machine. The assertions that matter are on content and size.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private PosternServer S => fixture.Server;

    private static string Plain(string user) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{ServerFixture.Password}"));

    [Theory]
    [InlineData(25)]
    [InlineData(465)]
    public async Task A_one_megabyte_line_is_accepted_and_stored_as_received(int port)
    {
        string user = ServerFixture.User("longline");
        string marker = $"port{port}-{Guid.NewGuid():N}";
        // 1 MiB of varied text, no line break inside, starting with a dot (stuffed on the wire).
        var line = new StringBuilder("." + marker);
        for (int i = 0; line.Length < 1024 * 1024; i++)
        {
            line.Append(' ').Append(i);
        }

        string text = $"Subject: {marker}\r\n\r\n{line}\r\nend\r\n";
        await using (var smtp = await RawClient.ConnectAsync(S, port, implicitTls: port == 465))
        {
            smtp.Timeout = Bound;
            Assert.StartsWith("220 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            await smtp.SendAsync("EHLO client.remote.test\r\n");
            Assert.StartsWith("250 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            if (port == 465)
            {
                await smtp.SendAsync($"AUTH PLAIN {Plain(user)}\r\n");
                Assert.StartsWith("235 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            }

            await smtp.SendAsync($"MAIL FROM:<{(port == 465 ? user : "someone@remote.test")}>\r\nRCPT TO:<{user}>\r\nDATA\r\n");
            Assert.Equal("250 2.1.0 Sender ok", await smtp.ReadSmtpReplyAsync());
            Assert.Equal("250 2.1.5 Recipient ok", await smtp.ReadSmtpReplyAsync());
            Assert.StartsWith("354 ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            await smtp.SendBytesAsync(HostileMessages.ForData(Encoding.ASCII.GetBytes(text)));
            Assert.StartsWith("250 2.0.0 Ok: queued as ", await smtp.ReadSmtpReplyAsync(), StringComparison.Ordinal);
            await smtp.SendAsync("NOOP\r\n");
            Assert.Equal("250 2.0.0 Ok", await smtp.ReadSmtpReplyAsync());
        }

        // IMAP shows the body exactly as sent: the literal has its exact length, the line is whole.
        await using var imap = await LoginAsync("longline");
        Assert.StartsWith("s OK", (await imap.ImapAsync("s", "SELECT INBOX")).Tagged, StringComparison.Ordinal);
        var (found, searched) = await imap.ImapAsync("f", $"UID SEARCH SUBJECT \"{marker}\"");
        Assert.StartsWith("f OK", searched, StringComparison.Ordinal);
        string uid = found.Trim().Split(' ')[^1];
        var (untagged, tagged) = await imap.ImapAsync("b", $"UID FETCH {uid} (BODY.PEEK[TEXT])");
        Assert.StartsWith("b OK", tagged, StringComparison.Ordinal);
        string body = $"{line}\r\nend\r\n";
        Assert.Contains($"BODY[TEXT] {{{body.Length}}}\n{line}\nend\n)", untagged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_NUL_octet_is_refused_in_a_plain_literal_and_kept_in_a_literal8()
    {
        const string message = "Subject: nul\r\n\r\nbefore\0after\r\n";
        await using var imap = await LoginAsync("nul");
        await imap.SendAsync($"a APPEND INBOX {{{message.Length}}}\r\n");
        Assert.StartsWith("+", await imap.ReadLineAsync());

        await imap.SendAsync(message + "\r\n");
        Assert.Equal("a NO Message contains a NUL octet; send it as a literal8 (~{n}, BINARY)", (await imap.ImapReplyAsync("a")).Tagged);
        await imap.SendAsync($"b APPEND INBOX {{{message.Length}+}}\r\n{message}\r\n");
        Assert.Equal("b NO Message contains a NUL octet; send it as a literal8 (~{n}, BINARY)", (await imap.ImapReplyAsync("b")).Tagged);

        // The session goes on, nothing was stored; BINARY's literal8 carries the NUL.
        var (status, _) = await imap.ImapAsync("c", "STATUS INBOX (MESSAGES)");
        Assert.Contains("(MESSAGES 0)", status, StringComparison.Ordinal);
        await imap.SendAsync($"d APPEND INBOX ~{{{message.Length}+}}\r\n{message}\r\n");
        Assert.StartsWith("d OK [APPENDUID ", (await imap.ImapReplyAsync("d")).Tagged, StringComparison.Ordinal);
        Assert.StartsWith("s OK", (await imap.ImapAsync("s", "SELECT INBOX")).Tagged, StringComparison.Ordinal);
        // The NUL-holding part is stored base64-encoded (RFC 3516 4.4), so BODY[] never carries a
        // NUL; BINARY[1] gives back the octets as sent.
        var (binary, _) = await imap.ImapAsync("e", "FETCH 1 (BINARY[1])");
        Assert.Contains("before\0after", binary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_a_million_To_fields_give_a_bounded_first_ENVELOPE()
    {
        var sb = new StringBuilder("From: sender@remote.test\r\nSubject: many recipients\r\n");
        for (int i = 0; i < 500_000; i++)
        {
            sb.Append("To: user").Append(i).Append("@example.org\r\n");
        }

        string header = sb.Append("Message-ID: <many@remote.test>\r\n\r\n").ToString();
        var message = Encoding.ASCII.GetBytes(header + "body\r\n");
        await using var imap = await LoginAsync("manyto");
        await imap.SendAsync($"a APPEND INBOX {{{message.Length}+}}\r\n");
        await imap.SendBytesAsync([.. message, .. "\r\n"u8.ToArray()]);
        Assert.StartsWith("a OK", (await imap.ImapReplyAsync("a")).Tagged, StringComparison.Ordinal);
        Assert.StartsWith("s OK", (await imap.ImapAsync("s", "SELECT INBOX")).Tagged, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        var (envelope, tagged) = await imap.ImapAsync("e", "FETCH 1 (ENVELOPE)");
        output.WriteLine($"first FETCH ENVELOPE: {clock.ElapsedMilliseconds} ms, {envelope.Length} chars");
        Assert.StartsWith("e OK", tagged, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < Bound, clock.Elapsed.ToString());
        // Subject, From and Message-ID, and the addresses of the first 998 To fields: not 18 MB.
        Assert.StartsWith("* 1 FETCH (ENVELOPE (NIL \"many recipients\" ((NIL NIL \"sender\" \"remote.test\"))", envelope, StringComparison.Ordinal);
        Assert.Contains("(NIL NIL \"user997\" \"example.org\")", envelope, StringComparison.Ordinal);
        Assert.DoesNotContain("\"user998\"", envelope, StringComparison.Ordinal);
        Assert.Contains("\"<many@remote.test>\"", envelope, StringComparison.Ordinal);
        Assert.True(envelope.Length < 100_000, envelope.Length.ToString());

        // The stored header is every octet received.
        var (headerFetch, fetched) = await imap.ImapAsync("h", "FETCH 1 (BODY.PEEK[HEADER])");
        Assert.StartsWith("h OK", fetched, StringComparison.Ordinal);
        Assert.StartsWith($"* 1 FETCH (BODY[HEADER] {{{header.Length}}}\n", headerFetch, StringComparison.Ordinal);
    }

    private Task<RawClient> LoginAsync(string user) => RawImap.LoginAsync(S, user, Bound);
}
