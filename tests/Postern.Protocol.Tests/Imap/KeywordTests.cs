using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Keywords (RFC 3501 2.3.2): stored by STORE, shown in FLAGS/PERMANENTFLAGS and FETCH, found by SEARCH.</summary>
public class KeywordTests
{
    [Fact]
    public async Task Store_keeps_keywords_and_announces_new_ones()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.AppendAsync(ImapFixture.Simple);
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("s", "SELECT INBOX");
        var store = await f.CommandAsync("a", "STORE 1 +FLAGS ($Work \\Flagged)");
        Assert.Equal(
            [
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted",
                "* 1 FETCH (FLAGS (\\Flagged $Work))",
                "a OK STORE completed",
            ],
            store);
        var stored = (await f.Store.ListMessagesAsync(f.Inbox.Id))[0];
        Assert.Equal(["$Work"], stored.Keywords);

        Assert.Equal(["* 1 FETCH (FLAGS (\\Flagged $Work))", "b OK FETCH completed"], await f.CommandAsync("b", "FETCH 1 FLAGS"));
        Assert.Equal(["* SEARCH 1", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH KEYWORD $work"));
        Assert.Equal(["* SEARCH 2", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH UNKEYWORD $Work"));

        Assert.Equal(["* 1 FETCH (FLAGS (\\Flagged) UID 1)", "e OK UID STORE completed"], await f.CommandAsync("e", "UID STORE 1 -FLAGS ($Work)"));
        Assert.Empty((await f.Store.ListMessagesAsync(f.Inbox.Id))[0].Keywords);

        // No message uses $Work any more, so the next SELECT's FLAGS no longer lists it (the store
        // contract: a mailbox's keywords are those in use).
        var select = await f.CommandAsync("g", "SELECT INBOX");
        Assert.Contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", select);
        Assert.StartsWith("h BAD", (await f.CommandAsync("h", "STORE 1 +FLAGS (bad]word)"))[^1]);
    }

    [Fact]
    public async Task Keyword_changes_by_another_session_show_at_noop()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("s", "SELECT INBOX");
        await f.Store.SetFlagsAsync(f.Inbox.Id, [1], MessageFlags.None, ["$Junk"], FlagChange.Add, null);
        var noop = await f.CommandAsync("a", "NOOP");
        Assert.Contains("* 1 FETCH (FLAGS ($Junk))", noop);
        Assert.Contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk)", noop);
    }
}
