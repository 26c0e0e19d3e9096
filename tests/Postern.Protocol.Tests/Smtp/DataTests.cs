using System.Text;
using System.Text.RegularExpressions;
using Postern.Net;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

public partial class DataTests
{
    /// <summary>Opens a relay session with a transaction for alice and reads the 354.</summary>
    private static async Task<SmtpHarness> ReadyForDataAsync(Action<Postern.Smtp.SmtpOptions>? configure = null)
    {
        var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, configure);
        await h.EhloAsync("sender.test");
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        return h;
    }

    /// <summary>Splits a stored message into its Received header (which must be the first) and the rest.</summary>
    private static (string Received, byte[] Body) SplitReceived(byte[] stored)
    {
        string text = Encoding.Latin1.GetString(stored);
        Assert.StartsWith("Received: ", text);
        int end = 0;
        // The header ends at the first CRLF not followed by a folding tab/space.
        while (true)
        {
            end = text.IndexOf("\r\n", end, StringComparison.Ordinal);
            Assert.True(end >= 0);
            end += 2;
            if (end >= text.Length || (text[end] != '\t' && text[end] != ' '))
            {
                break;
            }
        }

        return (text[..end], stored[end..]);
    }

    [GeneratedRegex(@"^Received: from sender\.test \(\[127\.0\.0\.1\]\)\r\n\tby mail\.test with ESMTP id ([0-9a-z]{12});\r\n\t\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n$")]
    private static partial Regex ReceivedPattern();

    [Fact]
    public async Task Accepted_message_is_stored_byte_exact_after_one_received_header()
    {
        await using var h = await ReadyForDataAsync();
        string body = "From: x@remote.test\r\nTo: alice@example.org\r\nSubject: héllo\r\n\r\nline one\r\n\tindented  \r\n\r\nlast line without change\r\n";
        await h.SendAsync(body + ".\r\n");
        string reply = await h.ReadAsync();
        Assert.StartsWith("250 2.0.0 Ok: queued as ", reply);

        var (envelope, content) = Assert.Single(h.Store.Accepted);
        Assert.Equal("x@remote.test", envelope.ReturnPath);
        Assert.Empty(envelope.RemoteRecipients);
        var (received, rest) = SplitReceived(content);
        var match = ReceivedPattern().Match(received);
        Assert.True(match.Success, received);
        Assert.Equal("250 2.0.0 Ok: queued as " + match.Groups[1].Value, reply);
        Assert.Equal(Encoding.UTF8.GetBytes(body), rest);
        Assert.Empty(h.SpoolFiles());

        // The session goes on: a new transaction works.
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<y@remote.test>"));
    }

    [Fact]
    public async Task Submission_received_header_says_esmtpsa()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.Submission, TlsMode.StartTls);
        await h.LoginAsync();
        await h.SendAsync("MAIL FROM:<alice@example.org>\r\nRCPT TO:<friend@remote.test>\r\nDATA\r\n");
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("354 ", await h.ReadAsync());
        await h.SendAsync("Subject: x\r\n\r\nhi\r\n.\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        var (envelope, content) = Assert.Single(h.Store.Accepted);
        Assert.Equal(["friend@remote.test"], envelope.RemoteRecipients);
        Assert.Contains(" with ESMTPSA id ", SplitReceived(content).Received);
    }

    [Fact]
    public async Task Empty_message_is_just_the_received_header()
    {
        await using var h = await ReadyForDataAsync();
        await h.SendAsync(".\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        Assert.Empty(SplitReceived(Assert.Single(h.Store.Accepted).Content).Body);
    }

    [Fact]
    public async Task Dot_stuffing_is_removed()
    {
        await using var h = await ReadyForDataAsync();
        await h.SendAsync("Subject: dots\r\n\r\n..\r\n...leading\r\n.x\r\nmid.dle\r\n. \r\n.\r\n");
        Assert.StartsWith("250 2.0.0 ", await h.ReadAsync());
        var rest = SplitReceived(Assert.Single(h.Store.Accepted).Content).Body;
        Assert.Equal("Subject: dots\r\n\r\n.\r\n..leading\r\nx\r\nmid.dle\r\n \r\n", Encoding.ASCII.GetString(rest));
    }

    /// <summary>
    /// SMTP smuggling variants (CVE-2023-51764..66): a "." with bare CR/LF around it must neither end the
    /// data nor split it. The server answers the DATA exactly once, refuses the whole message, stores
    /// nothing, and the smuggled MAIL/RCPT/DATA are never executed as commands.
    /// </summary>
    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\n.\r\n")]
    [InlineData("\r.\r")]
    [InlineData("\r.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r\n.\r")]
    [InlineData("\r\n.\r\r\n")]
    [InlineData("\r\r\n.\r\r\n")]
    [InlineData("\r\n\n.\r\n")]
    public async Task Smuggling_variants_never_produce_a_second_message(string fakeEnd)
    {
        await using var h = await ReadyForDataAsync();
        string smuggled = "MAIL FROM:<evil@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n";
        await h.SendAsync("Subject: first\r\n\r\nbody" + fakeEnd + smuggled + ".\r\n");
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await h.ReadAsync());
        // The next reply must be NOOP's: no reply for any smuggled command was produced.
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Empty(h.Store.Accepted);
        Assert.Empty(h.SpoolFiles());
    }

    [Fact]
    public async Task Crlf_dot_crlf_after_bare_lf_content_ends_data_and_rejects_it()
    {
        await using var h = await ReadyForDataAsync();
        await h.SendAsync("Subject: x\r\n\r\nunix\nline\n\r\n.\r\nNOOP\r\n");
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.ReadAsync());
        Assert.Empty(h.Store.Accepted);
    }

    /// <summary>
    /// Issue 9 point 7: lines longer than RFC 5321's 1000 octets (here 70 KB, past one read piece,
    /// and 1 MB) are accepted and stored as received, up to the message size.
    /// </summary>
    [Theory]
    [InlineData(70_000)]
    [InlineData(1024 * 1024)]
    public async Task A_long_data_line_is_stored_exactly_as_received(int length)
    {
        await using var h = await ReadyForDataAsync();
        string line = new string('a', length - 1) + "z";
        string body = "Subject: long\r\n\r\n" + line + "\r\n." + line[..1000] + "\r\nafter\r\n";
        // The second long line starts with a stuffed dot: only its first octet is removed.
        await h.SendAsync(body.Replace("\r\n.", "\r\n..", StringComparison.Ordinal) + ".\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        Assert.Equal(Encoding.ASCII.GetBytes(body), SplitReceived(Assert.Single(h.Store.Accepted).Content).Body);
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Empty(h.SpoolFiles());
    }

    [Fact]
    public async Task A_long_line_over_the_message_size_is_read_to_the_end_and_refused()
    {
        await using var h = await ReadyForDataAsync(o => o.MaxMessageSize = 100_000);
        await h.SendAsync("Subject: long\r\n\r\n" + new string('a', 300_000) + "\r\n.\r\n");
        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Empty(h.Store.Accepted);
        Assert.Empty(h.SpoolFiles());
    }

    /// <summary>The smuggling rules hold inside a long line too: a bare CR or LF anywhere in it refuses the message, and nothing after it runs as a command.</summary>
    [Theory]
    [InlineData("\n.\r\n")]
    [InlineData("\r.\r\n")]
    [InlineData("\r\n.\r")]
    public async Task A_bare_CR_or_LF_deep_in_a_long_line_still_refuses_the_message(string fakeEnd)
    {
        await using var h = await ReadyForDataAsync();
        string smuggled = "MAIL FROM:<evil@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n";
        // 65535 octets, so the fake end straddles the boundary between two pieces.
        await h.SendAsync("Subject: first\r\n\r\n" + new string('a', 64 * 1024 - 1) + fakeEnd + smuggled + ".\r\n");
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Empty(h.Store.Accepted);
    }

    [Fact]
    public async Task Message_over_max_size_is_read_to_the_end_and_refused()
    {
        await using var h = await ReadyForDataAsync(o => o.MaxMessageSize = 1000);
        var sb = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; i < 100; i++)
        {
            sb.Append("0123456789012345678901234567890123456789\r\n");
        }

        await h.SendAsync(sb + ".\r\n");
        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size", await h.ReadAsync());
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Empty(h.Store.Accepted);
        Assert.Empty(h.SpoolFiles());
    }

    [Fact]
    public async Task Message_exactly_at_max_size_is_accepted()
    {
        await using var h = await ReadyForDataAsync(o => o.MaxMessageSize = 10);
        await h.SendAsync("12345678\r\n.\r\n");
        Assert.StartsWith("250 2.0.0 ", await h.ReadAsync());
    }

    [Fact]
    public async Task Store_failure_gets_451_and_session_continues()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls,
            wrapStore: s => RecordingStore.Wrap(s).Fail(nameof(IMailStore.AcceptAsync), new IOException("disk full (test)")).Store);
        await h.EhloAsync();
        await h.SendAsync("MAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("354 ", await h.ReadAsync());
        await h.SendAsync("Subject: x\r\n\r\nhi\r\n.\r\n");
        Assert.Equal("451 4.3.0 Local error in processing; try again later", await h.ReadAsync());
        Assert.Contains(h.Log.Events, e => e.Id.Id == 2008);
        Assert.Empty(h.SpoolFiles());
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
    }

    [Fact]
    public async Task Commands_pipelined_behind_EHLO_close_the_session_unexecuted()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.SendAsync("EHLO sender.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
        var lines = await h.Client.ReadUntilAsync("554 ");
        Assert.Equal("554 5.5.0 Error: SMTP protocol synchronization", lines[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("250 2.1", StringComparison.Ordinal));
        Assert.True(await h.Client.IsClosedAsync());
        Assert.Empty(h.Store.Accepted);
    }

    [Fact]
    public async Task Pipelined_transaction_gets_replies_in_order()
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        // RFC 2920 3.1: EHLO ends a pipelined group, so the client waits for its reply first.
        await h.SendAsync("EHLO sender.test\r\n");
        var ehlo = await h.Client.ReadUntilAsync("250 ");
        Assert.Equal("250-mail.test", ehlo[0]);
        await h.SendAsync(
            "MAIL FROM:<x@remote.test>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<alice@example.org>\r\n" +
            "RCPT TO:<x@elsewhere.test>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await h.ReadAsync());
        Assert.Equal("550 5.1.1 No such user here", await h.ReadAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await h.ReadAsync());
        Assert.Equal("550 5.7.1 Relaying denied", await h.ReadAsync());
        Assert.StartsWith("354 ", await h.ReadAsync());
        await h.SendAsync("Subject: p\r\n\r\nhi\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await h.ReadAsync());
        Assert.Equal("221 2.0.0 Bye", await h.ReadAsync());
        Assert.True(await h.Client.IsClosedAsync());
        Assert.Single(h.Store.Accepted);
    }

    [Fact]
    public async Task Two_messages_in_one_session_each_get_one_header()
    {
        await using var h = await ReadyForDataAsync();
        await h.SendAsync("Subject: one\r\n\r\n1\r\n.\r\n");
        Assert.StartsWith("250 2.0.0 ", await h.ReadAsync());
        await h.SendAsync("MAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\nSubject: two\r\n\r\n2\r\n.\r\n");
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("250 ", await h.ReadAsync());
        Assert.StartsWith("354 ", await h.ReadAsync());
        Assert.StartsWith("250 2.0.0 ", await h.ReadAsync());
        Assert.Equal(2, h.Store.Accepted.Count);
        Assert.Equal("Subject: two\r\n\r\n2\r\n", Encoding.ASCII.GetString(SplitReceived(h.Store.Accepted[1].Content).Body));
    }
}

public class DataAbortTests
{
    [Fact]
    public async Task Client_closing_during_data_stores_nothing_and_leaves_no_spool_file()
    {
        var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await using (h)
        {
            await h.EhloAsync();
            await h.SendAsync("MAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            Assert.StartsWith("250 ", await h.ReadAsync());
            Assert.StartsWith("250 ", await h.ReadAsync());
            Assert.StartsWith("354 ", await h.ReadAsync());
            await h.SendAsync("Subject: partial\r\n\r\nhalf a mess");
            await h.Client.DisposeAsync();
            Assert.True(await h.SessionEndsAsync());
            Assert.Empty(h.Store.Accepted);
            Assert.Empty(h.SpoolFiles());
        }
    }

    [Fact]
    public async Task Unusable_spool_directory_gets_451_before_354()
    {
        string file = Path.GetTempFileName();
        try
        {
            await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls, o => o.SpoolDirectory = Path.Combine(file, "spool"));
            await h.EhloAsync();
            await h.SendAsync("MAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            Assert.StartsWith("250 ", await h.ReadAsync());
            Assert.StartsWith("250 ", await h.ReadAsync());
            Assert.Equal("451 4.3.0 Local error in processing; try again later", await h.ReadAsync());
            Assert.Contains(h.Log.Events, e => e.Id.Id == 2008);
            Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
            Assert.Empty(h.Store.Accepted);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
