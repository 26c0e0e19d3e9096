using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// \Recent (RFC 3501 2.3.2, 6.3.1, 6.3.10, 6.4.4, 7.3.2): the first session to be told about a
/// message sees it as recent, and it alone; EXAMINE and STATUS look without taking; rev2 sessions
/// (RFC 9051 dropped \Recent) are told nothing and take nothing.
/// </summary>
public class RecentTests
{
    private static async Task<List<string>> FlagsAsync(ImapFixture f, string tag) => await f.CommandAsync(tag, "FETCH 1:* FLAGS");

    [Fact]
    public async Task Examine_and_status_look_select_takes()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);

        var examine = await f.CommandAsync("a", "EXAMINE INBOX");
        Assert.Contains("* 2 RECENT", examine);
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Seen \\Recent))", "b OK FETCH completed"], await FlagsAsync(f, "b"));
        await f.CommandAsync("c", "CLOSE");
        Assert.Equal(["* STATUS INBOX (MESSAGES 2 RECENT 2)", "d OK STATUS completed"], await f.CommandAsync("d", "STATUS INBOX (MESSAGES RECENT)"));

        Assert.Contains("* 2 RECENT", await f.CommandAsync("e", "SELECT INBOX"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Seen \\Recent))", "g OK FETCH completed"], await FlagsAsync(f, "g"));
        await f.CommandAsync("h", "CLOSE");
        Assert.Equal(["* STATUS INBOX (RECENT 0)", "i OK STATUS completed"], await f.CommandAsync("i", "STATUS INBOX (RECENT)"));

        // The next session (here: the next SELECT) is not told again.
        Assert.Contains("* 0 RECENT", await f.CommandAsync("j", "SELECT INBOX"));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS (\\Seen))", "k OK FETCH completed"], await FlagsAsync(f, "k"));
    }

    [Fact]
    public async Task Search_new_old_recent_and_store_keeps_recent()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.CommandAsync("s", "SELECT INBOX");
        await f.AppendAsync(ImapFixture.Simple);
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Flagged);
        // RECENT counts all this session's recent messages (RFC 3501 7.3.2), not the new ones.
        Assert.Equal(["* 3 EXISTS", "* 3 RECENT", "n OK NOOP completed"], await f.CommandAsync("n", "NOOP"));

        // Message 1 was recent at SELECT too: 1..3 are all recent to this session.
        Assert.Equal(["* SEARCH 1 2 3", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RECENT"));
        Assert.Equal(["* SEARCH 2 3", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH NEW"));
        Assert.Equal(["* SEARCH", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH OLD"));

        // \Recent is not the client's to change, and STORE's answer still carries it.
        Assert.Equal(["* 2 FETCH (FLAGS (\\Seen \\Recent))", "d OK STORE completed"], await f.CommandAsync("d", "STORE 2 FLAGS (\\Seen \\Recent)"));
        Assert.Equal(["* SEARCH 3", "e OK SEARCH completed"], await f.CommandAsync("e", "SEARCH NEW"));
    }

    [Fact]
    public async Task Copy_and_append_are_recent_for_exactly_one_session()
    {
        await using var a = await ImapFixture.LoggedInAsync();
        await a.AppendAsync(ImapFixture.Simple);
        await a.CommandAsync("c", "CREATE Target");
        await using var b = await a.SecondSessionAsync();
        Assert.Contains("* 0 RECENT", await b.CommandAsync("s", "SELECT Target"));

        // Copied while b has the mailbox selected: b is told first, so b has them as recent.
        await a.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("k OK [COPYUID", (await a.CommandAsync("k", "COPY 1 Target"))[^1]);
        Assert.Equal(["* 1 EXISTS", "* 1 RECENT", "n OK NOOP completed"], await b.CommandAsync("n", "NOOP"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "f OK FETCH completed"], await FlagsAsync(b, "f"));

        // A third session opened later sees nothing recent.
        await using var c = await a.SecondSessionAsync();
        Assert.Contains("* 0 RECENT", await c.CommandAsync("s", "SELECT Target"));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "f OK FETCH completed"], await FlagsAsync(c, "f"));

        // Appended while nobody is told yet: recent for the next session that selects (b or c,
        // whichever looks first), never for both.
        Assert.StartsWith("p OK", (await a.CommandAsync("p", "APPEND Target {7}\r\nx: y\r\n\r\n"))[^1]);
        Assert.Equal(["* 2 EXISTS", "* 1 RECENT", "n OK NOOP completed"], await c.CommandAsync("n", "NOOP"));
        Assert.Equal(["* 2 EXISTS", "m OK NOOP completed"], await b.CommandAsync("m", "NOOP")); // b's count is still 1: no RECENT
        Assert.Equal(["* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS (\\Recent))", "g OK FETCH completed"], await FlagsAsync(c, "g"));
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS ())", "g OK FETCH completed"], await FlagsAsync(b, "g"));

        // With no session on the mailbox, a copy waits for the next one: STATUS counts it, SELECT takes it.
        await b.CommandAsync("x", "CLOSE");
        await c.CommandAsync("x", "CLOSE");
        await a.CommandAsync("k", "COPY 1 Target");
        Assert.Equal(["* STATUS Target (RECENT 1)", "t OK STATUS completed"], await b.CommandAsync("t", "STATUS Target (RECENT)"));
        Assert.Contains("* 1 RECENT", await c.CommandAsync("s", "SELECT Target"));
        Assert.Contains("* 0 RECENT", await b.CommandAsync("s", "SELECT Target"));
    }

    [Fact]
    public async Task Rev2_sessions_are_told_nothing_and_take_nothing()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("e", "ENABLE IMAP4rev2");
        Assert.DoesNotContain(await f.CommandAsync("s", "SELECT INBOX"), l => l.EndsWith(" RECENT", StringComparison.Ordinal));
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["* 2 EXISTS", "n OK NOOP completed"], await f.CommandAsync("n", "NOOP"));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())", "a OK FETCH completed"], await FlagsAsync(f, "a"));

        // A rev1 session after it is still the first to be told.
        await using var rev1 = await f.SecondSessionAsync();
        Assert.Contains("* 2 RECENT", await rev1.CommandAsync("s", "SELECT INBOX"));
    }
}
