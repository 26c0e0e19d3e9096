using MailKit;
using MailKit.Search;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 2: SMTP smuggling (CVE-2023-51764/51765/51766). Postern's policy
/// (see Postern.Smtp DataLine/ReceiveDataAsync): only CRLF "." CRLF ends DATA; every variant with a
/// bare CR or bare LF is content, and a message containing a bare CR or LF is refused whole with
/// 550 5.6.0 at the real end of data. So one DATA is always exactly one reply and at most one
/// message. The stored mailbox is read back over IMAP to prove no second message appeared.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SmtpSmugglingTests(ServerFixture server)
{
    public static TheoryData<string, string> Variants => new()
    {
        { "LF.LF", "\n.\n" },
        { "LF.CRLF", "\n.\r\n" },
        { "CR.CR", "\r.\r" },
        { "CRLF.LF", "\r\n.\n" },
        { "CRLF.CR", "\r\n.\r" },
        { "CR.CRLF", "\r.\r\n" },
        { "LF.CR", "\n.\r" },
        { "CR.LF", "\r.\n" },
        { "CRLF.CRCRLF", "\r\n.\r\r\n" },
        { "LFLF.CRLF", "\n\n.\r\n" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_bare_CR_or_LF_end_of_data_never_splits_one_DATA_into_two_messages(string name, string fakeEnd)
    {
        string marker = $"smuggle-{name}-{Guid.NewGuid():N}";
        string rcpt = ServerFixture.User("erin");
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("MAIL FROM:<a@sender.test>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync($"RCPT TO:<{rcpt}>");
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("DATA");
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());

        // The smuggled second transaction follows the fake end in the same write.
        await c.SendAsync(
            $"Subject: outer {marker}\r\n\r\nfirst part" + fakeEnd +
            $"MAIL FROM:<admin@example.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\nSubject: SMUGGLED {marker}\r\n\r\nevil\r\n.\r\n");
        // Exactly one reply for the one DATA: refused for its bare CR/LF.
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("NOOP");
        Assert.Equal("250 2.0.0 Ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("QUIT");
        Assert.Equal("221 2.0.0 Bye", await c.ReadSmtpReplyAsync());

        Assert.Equal(0, await CountAsync("erin", marker));
    }

    [Fact]
    public async Task Control_a_proper_CRLF_dot_CRLF_ends_data_and_the_next_transaction_is_separate()
    {
        string marker = $"smuggle-control-{Guid.NewGuid():N}";
        string rcpt = ServerFixture.User("erin");
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        Assert.StartsWith("250 ", await c.ReadSmtpReplyAsync());
        // PIPELINING (RFC 2920): MAIL, RCPT, DATA in one group.
        await c.SendAsync($"MAIL FROM:<a@sender.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        await c.SendAsync($"Subject: one {marker}\r\n\r\nx\r\n.\r\nMAIL FROM:<a@sender.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await c.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        await c.SendAsync($"Subject: two {marker}\r\n\r\ny\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await c.ReadSmtpReplyAsync());
        Assert.Equal("221 2.0.0 Bye", await c.ReadSmtpReplyAsync());
        Assert.Equal(2, await CountAsync("erin", marker));
    }

    /// <summary>Lookalikes without bare CR/LF are plain content: one message, the "smuggled" part is its body.</summary>
    [Theory]
    [InlineData("SP", "\r\n. \r\n")]
    [InlineData("DOTDOT", "\r\n..\r\n")]
    [InlineData("NUL", "\r\n.\0\r\n")]
    public async Task A_dot_line_that_is_not_exactly_dot_CRLF_is_content(string name, string fakeEnd)
    {
        string marker = $"smuggle-content-{name}-{Guid.NewGuid():N}";
        string rcpt = ServerFixture.User("erin");
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        await c.ReadSmtpReplyAsync();
        await c.SendAsync($"MAIL FROM:<a@sender.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n");
        await c.ReadSmtpReplyAsync();
        await c.ReadSmtpReplyAsync();
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        await c.SendAsync(
            $"Subject: outer {marker}\r\n\r\nfirst" + fakeEnd +
            $"MAIL FROM:<admin@example.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\nSubject: SMUGGLED {marker}\r\n\r\nevil\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await c.ReadSmtpReplyAsync());
        Assert.Equal("221 2.0.0 Bye", await c.ReadSmtpReplyAsync());
        // One message whose subject is the outer one; the "SMUGGLED" header is only body text.
        Assert.Equal(1, await CountAsync("erin", marker));
        Assert.Equal(0, await CountAsync("erin", "SMUGGLED " + marker));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task With_PIPELINING_the_whole_transaction_in_one_write_still_gives_one_reply_and_no_message(string name, string fakeEnd)
    {
        string marker = $"smuggle-pipe-{name}-{Guid.NewGuid():N}";
        string rcpt = ServerFixture.User("erin");
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        Assert.Contains(await c.ReadSmtpReplyLinesAsync(), l => l == "250-PIPELINING");
        await c.SendAsync($"MAIL FROM:<a@sender.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        await c.SendAsync(
            $"Subject: outer {marker}\r\n\r\nfirst" + fakeEnd +
            $"MAIL FROM:<admin@example.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\nSubject: SMUGGLED {marker}\r\n\r\nevil\r\n.\r\nQUIT\r\n");
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await c.ReadSmtpReplyAsync());
        Assert.Equal("221 2.0.0 Bye", await c.ReadSmtpReplyAsync());
        Assert.Null(await c.ReadLineAsync());
        Assert.Equal(0, await CountAsync("erin", marker));
    }

    [Fact]
    public async Task A_bare_LF_inside_an_otherwise_proper_message_refuses_the_whole_message()
    {
        string marker = $"smuggle-inner-{Guid.NewGuid():N}";
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        await c.ReadSmtpReplyAsync();
        await c.SendAsync($"MAIL FROM:<a@sender.test>\r\nRCPT TO:<{ServerFixture.User("erin")}>\r\nDATA\r\n");
        await c.ReadSmtpReplyAsync();
        await c.ReadSmtpReplyAsync();
        Assert.StartsWith("354 ", await c.ReadSmtpReplyAsync());
        await c.SendAsync($"Subject: {marker}\r\n\r\nline\nother\r\n.\r\n");
        Assert.Equal("550 5.6.0 Message contains bare CR or LF; line endings must be CRLF", await c.ReadSmtpReplyAsync());
        Assert.Equal(0, await CountAsync("erin", marker));
    }

    /// <summary>CHUNKING (RFC 3030) is not offered, so BDAT is an unknown command, never a second way to end data.</summary>
    [Fact]
    public async Task BDAT_is_not_offered_and_is_refused()
    {
        await using var c = await RawClient.ConnectAsync(server, 25);
        Assert.StartsWith("220 ", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("EHLO sender.test");
        Assert.DoesNotContain(await c.ReadSmtpReplyLinesAsync(), l => l.Contains("CHUNKING"));
        await c.SendLineAsync("MAIL FROM:<a@sender.test>");
        Assert.Equal("250 2.1.0 Sender ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync($"RCPT TO:<{ServerFixture.User("erin")}>");
        Assert.Equal("250 2.1.5 Recipient ok", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("BDAT 99999999999999999999 LAST");
        Assert.Equal("500 5.5.2 Command not recognized", await c.ReadSmtpReplyAsync());
        await c.SendLineAsync("BDAT -1");
        Assert.Equal("500 5.5.2 Command not recognized", await c.ReadSmtpReplyAsync());
    }

    /// <summary>How many messages in the user's INBOX mention <paramref name="marker"/> in the subject.</summary>
    private async Task<int> CountAsync(string user, string marker)
    {
        using var imap = await MailKitClients.ImapAsync(server, 993, ServerFixture.User(user));
        var inbox = imap.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        var hits = await inbox.SearchAsync(SearchQuery.SubjectContains(marker));
        await imap.DisconnectAsync(true);
        return hits.Count;
    }
}
