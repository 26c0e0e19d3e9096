using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class StoreSearchTests
{
    private static async Task<ImapFixture> WithMessagesAsync(int count)
    {
        var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < count; i++)
        {
            await f.AppendAsync(i % 2 == 0 ? ImapFixture.Simple : ImapFixture.Multipart, i == 0 ? MessageFlags.Seen : MessageFlags.None,
                new DateTimeOffset(2026, 2, 1 + i, 12, 0, 0, TimeSpan.Zero));
        }

        // NEW and OLD are then "" and all; RecentTests has them with recent mail.
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("s", "SELECT INBOX");
        return f;
    }

    [Fact]
    public async Task Store_reports_new_flags_and_silent_does_not()
    {
        await using var f = await WithMessagesAsync(3);
        var add = await f.CommandAsync("a", "STORE 2:3 +FLAGS (\\Flagged \\Seen)");
        Assert.Equal(["* 2 FETCH (FLAGS (\\Seen \\Flagged))", "* 3 FETCH (FLAGS (\\Seen \\Flagged))", "a OK STORE completed"], add);
        var uid = await f.CommandAsync("b", "UID STORE 3 -FLAGS \\Seen");
        Assert.Equal(["* 3 FETCH (FLAGS (\\Flagged) UID 3)", "b OK UID STORE completed"], uid);
        var silent = await f.CommandAsync("c", "STORE 1 FLAGS.SILENT (\\Answered)");
        Assert.Equal(["c OK STORE completed"], silent);
        var msgs = await f.Store.ListMessagesAsync(f.Inbox.Id);
        Assert.Equal(MessageFlags.Answered, msgs[0].Flags);
        var bad = await f.CommandAsync("d", "STORE 1 +FLAGS (\\Bogus)");
        Assert.StartsWith("d BAD", bad[^1]);
        var keyword = await f.CommandAsync("e", "STORE 1 +FLAGS ($Label1)");
        Assert.StartsWith("e OK", keyword[^1]);
    }

    [Fact]
    public async Task Expunge_renumbers()
    {
        await using var f = await WithMessagesAsync(5);
        await f.CommandAsync("a", "STORE 2,3,5 +FLAGS.SILENT (\\Deleted)");
        var expunge = await f.CommandAsync("b", "EXPUNGE");
        Assert.Equal(["* 2 EXPUNGE", "* 2 EXPUNGE", "* 3 EXPUNGE", "b OK EXPUNGE completed"], expunge);
        var uids = await f.CommandAsync("c", "FETCH 1:* UID");
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)", "c OK FETCH completed"], uids);
    }

    [Fact]
    public async Task Close_expunges_silently()
    {
        await using var f = await WithMessagesAsync(2);
        await f.CommandAsync("a", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        var close = await f.CommandAsync("b", "CLOSE");
        Assert.Equal(["b OK CLOSE completed"], close);
        Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id));
        var fetch = await f.CommandAsync("c", "FETCH 1 UID");
        Assert.StartsWith("c BAD", fetch[^1]);
    }

    [Theory]
    [InlineData("UNSEEN", "2 3 4")]
    [InlineData("SEEN", "1")]
    [InlineData("ALL", "1 2 3 4")]
    [InlineData("FROM bob", "1 3")]
    [InlineData("FROM \"BOB EXAMPLE\"", "1 3")]
    [InlineData("SUBJECT report", "2 4")]
    [InlineData("TO dave", "2 4")]
    [InlineData("HEADER Message-ID <1@example.net>", "1 3")]
    [InlineData("BODY banana", "2 4")]
    [InlineData("TEXT \"Hello Alice\"", "1 3")]
    [InlineData("UID 2:3", "2 3")]
    [InlineData("2,4:*", "2 4")]
    [InlineData("NOT 1:2", "3 4")]
    [InlineData("OR SEEN SUBJECT report", "1 2 4")]
    [InlineData("(UNSEEN FROM bob)", "3")]
    [InlineData("LARGER 400", "2 4")]
    [InlineData("SMALLER 400", "1 3")]
    [InlineData("SINCE 3-Feb-2026", "3 4")]
    [InlineData("BEFORE 2-Feb-2026", "1")]
    [InlineData("ON 2-Feb-2026", "2")]
    [InlineData("SENTON 3-Feb-2026", "2 4")]
    [InlineData("SENTBEFORE 3-Feb-2026", "1 3")]
    [InlineData("NEW", "")]
    [InlineData("OLD", "1 2 3 4")]
    [InlineData("CHARSET UTF-8 SUBJECT hello", "1 3")]
    [InlineData("DELETED", "")]
    public async Task Search(string criteria, string expected)
    {
        await using var f = await WithMessagesAsync(4);
        var lines = await f.CommandAsync("a", "SEARCH " + criteria);
        Assert.Equal(["* SEARCH" + (expected.Length > 0 ? " " + expected : ""), "a OK SEARCH completed"], lines);
    }

    [Fact]
    public async Task Uid_search_returns_uids()
    {
        await using var f = await WithMessagesAsync(4);
        await f.CommandAsync("a", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await f.CommandAsync("b", "EXPUNGE");
        var lines = await f.CommandAsync("c", "UID SEARCH UNSEEN UID 3:*");
        Assert.Equal(["* SEARCH 3 4", "c OK UID SEARCH completed"], lines);
        var msn = await f.CommandAsync("d", "SEARCH UID 3:*");
        Assert.Equal(["* SEARCH 2 3", "d OK SEARCH completed"], msn);
    }

    [Fact]
    public async Task Search_errors()
    {
        await using var f = await WithMessagesAsync(1);
        var charset = await f.CommandAsync("a", "SEARCH CHARSET KOI8-R ALL");
        Assert.Equal(["a NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"], charset);
        var deep = await f.CommandAsync("b", "SEARCH " + string.Concat(Enumerable.Repeat("NOT ", 100)) + "SEEN");
        Assert.StartsWith("b BAD", deep[^1]);
        var unknown = await f.CommandAsync("c", "SEARCH FOO");
        Assert.StartsWith("c BAD", unknown[^1]);
    }
}
