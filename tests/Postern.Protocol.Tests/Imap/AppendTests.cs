using System.Text;
using Postern.Imap;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>APPEND (RFC 3501 6.3.11) with synchronising and non-synchronising literals, limits and APPENDUID.</summary>
public class AppendTests
{
    private static int Octets(string s) => Encoding.UTF8.GetByteCount(s);

    [Fact]
    public async Task Append_with_sync_literal_stores_flags_keywords_and_date()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendLineAsync($"a APPEND Drafts (\\Seen $Work) \" 5-Mar-2026 09:08:07 +0100\" {{{Octets(ImapFixture.Simple)}}}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendAsync(ImapFixture.Simple + "\r\n");
        var done = await f.Client.ReadUntilAsync("a ");
        var drafts = (await f.Store.GetMailboxAsync(f.Alice.Id, "Drafts"))!;
        Assert.Equal([$"a OK [APPENDUID {drafts.UidValidity} 1] APPEND completed"], done);
        var stored = Assert.Single(await f.Store.ListMessagesAsync(drafts.Id));
        Assert.Equal(MessageFlags.Seen, stored.Flags);
        Assert.Equal(["$Work"], stored.Keywords);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 9, 8, 7, TimeSpan.FromHours(1)), stored.InternalDate);
        using var body = (await f.Store.OpenMessageAsync(drafts.Id, 1))!;
        Assert.Equal(ImapFixture.Simple, await new StreamReader(body).ReadToEndAsync());
    }

    [Fact]
    public async Task Append_with_nonsync_literal_and_no_options()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.CommandAsync("s", "SELECT INBOX");
        await f.Client.SendAsync($"a APPEND INBOX {{{Octets(ImapFixture.Multipart)}+}}\r\n{ImapFixture.Multipart}\r\n");
        var done = await f.Client.ReadUntilAsync("a ");
        // The appending session is the first told of the message, so it is \Recent there (RFC 3501 6.3.11).
        Assert.Equal(["* 1 EXISTS", "* 1 RECENT", $"a OK [APPENDUID {f.Inbox.UidValidity} 1] APPEND completed"], done);
        Assert.Equal(["b OK NOOP completed"], await f.CommandAsync("b", "NOOP"));
    }

    [Fact]
    public async Task Append_to_missing_mailbox_asks_to_create_without_continuation()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendLineAsync("a APPEND Nowhere {10}");
        Assert.Equal("a NO [TRYCREATE] No such mailbox", await f.Client.ReadLineAsync());

        // A refused {n+} literal is skipped, not read as commands.
        await f.Client.SendAsync("b APPEND Nowhere {10+}\r\nc LOGOUT\r\n\r\n");
        Assert.Equal(["b NO [TRYCREATE] No such mailbox"], await f.Client.ReadUntilAsync("b "));
        Assert.Equal(["d OK NOOP completed"], await f.CommandAsync("d", "NOOP"));
    }

    [Fact]
    public async Task Oversized_sync_literal_gets_toobig_and_oversized_nonsync_closes()
    {
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxAppendSize = 100 });
        await f.Client.SendLineAsync("a APPEND INBOX {101}");
        Assert.Equal("a NO [TOOBIG] Message too large", await f.Client.ReadLineAsync());
        Assert.Equal(["b OK NOOP completed"], await f.CommandAsync("b", "NOOP"));

        await f.Client.SendLineAsync("c APPEND INBOX {101+}");
        Assert.Equal("* BYE Literal too large", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }

    [Fact]
    public async Task Append_larger_than_the_literal_limit_is_streamed()
    {
        // MaxLiteralSize bounds other commands' literals; APPEND's message is not buffered, so it may be larger.
        await using var f = await ImapFixture.LoggedInAsync(new ImapOptions { MaxLiteralSize = 1024, MaxCommandSize = 4096 });
        string big = "Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 300));
        await f.Client.SendAsync($"a APPEND INBOX {{{Octets(big)}+}}\r\n{big}\r\n");
        Assert.StartsWith("a OK [APPENDUID", (await f.Client.ReadUntilAsync("a "))[^1]);
        Assert.Equal(Octets(big), Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id)).Size);
    }

    [Fact]
    public async Task Append_syntax_errors_are_bad()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.Client.SendLineAsync("a APPEND INBOX \"31-Feb-2026 00:00:00 +0000\" {5}");
        Assert.Equal("a BAD Invalid date-time", await f.Client.ReadLineAsync());
        await f.Client.SendLineAsync("b APPEND INBOX (\\Bogus) {5}");
        Assert.Equal("b BAD Invalid system flag", await f.Client.ReadLineAsync());
        Assert.StartsWith("c BAD", (await f.CommandAsync("c", "APPEND INBOX"))[^1]);
        await f.Client.SendAsync("d APPEND INBOX {5+}\r\nhello extra\r\n");
        Assert.Equal(["d BAD Unexpected data after the message"], await f.Client.ReadUntilAsync("d "));
        Assert.Empty(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }

    [Fact]
    public async Task Append_before_login_is_refused_and_literal_skipped()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        await f.Client.SendAsync("a APPEND INBOX {10+}\r\nx LOGOUT\r\n\r\nb NOOP\r\n");
        Assert.Equal(["a BAD Command not allowed before login"], await f.Client.ReadUntilAsync("a "));
        Assert.Equal(["b OK NOOP completed"], await f.Client.ReadUntilAsync("b "));
    }

    [Fact]
    public async Task Large_nonsync_append_before_login_closes()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit, new ImapOptions { MaxLiteralSize = 100 });
        await f.Client.SendLineAsync("a APPEND INBOX {101+}");
        Assert.Equal("* BYE Literal too large", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }

    [Theory]
    [InlineData(" 1-Jan-2026 00:00:00 +0000", true)]
    [InlineData("17-Jul-1996 02:44:25 -0700", true)]
    [InlineData("17-Jul-1996 24:44:25 -0700", false)]
    [InlineData("17-Foo-1996 02:44:25 -0700", false)]
    [InlineData("17-Jul-1996 02:44:25", false)]
    public void Date_time_parsing(string text, bool valid)
    {
        Assert.Equal(valid, Postern.Imap.Commands.AppendCommand.ParseDate(text) is not null);
    }
}
