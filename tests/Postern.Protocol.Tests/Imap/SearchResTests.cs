using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>SEARCHRES (RFC 5182): RETURN (SAVE) and "$" in every command that takes a sequence set.</summary>
public class SearchResTests
{
    [Fact]
    public async Task Save_alone_answers_nothing_and_dollar_fetches_the_result()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.Equal(["a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RETURN (SAVE) SEEN"));
        Assert.Equal(
            ["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "* 4 FETCH (UID 4)", "b OK FETCH completed"],
            await f.CommandAsync("b", "FETCH $ (UID)"));
        Assert.Equal(
            ["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "* 4 FETCH (UID 4)", "c OK UID FETCH completed"],
            await f.CommandAsync("c", "UID FETCH $ (UID)"));
        Assert.Equal(["* SEARCH 3 4", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH $ 2:*"));
        Assert.Equal(["* SEARCH 1 3 4", "e OK UID SEARCH completed"], await f.CommandAsync("e", "UID SEARCH UID $"));
        Assert.Equal(["* SEARCH 2 5", "g OK SEARCH completed"], await f.CommandAsync("g", "SEARCH NOT $"));
    }

    [Fact]
    public async Task Save_with_min_and_max_keeps_only_those()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.Equal(["* ESEARCH (TAG \"a\") MIN 1 MAX 4", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RETURN (SAVE MIN MAX) SEEN"));
        Assert.Equal(["* SEARCH 1 4", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH $"));
        Assert.Equal(["* ESEARCH (TAG \"c\") UID MIN 1 COUNT 3", "c OK UID SEARCH completed"], await f.CommandAsync("c", "UID SEARCH RETURN (SAVE MIN COUNT) SEEN"));
        Assert.Equal(["* SEARCH 1 3 4", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH $"));
    }

    [Fact]
    public async Task Store_copy_move_and_uid_expunge_take_dollar()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.StartsWith("c OK", (await f.CommandAsync("c", "CREATE Saved"))[^1]);
        Assert.Equal(["a OK UID SEARCH completed"], await f.CommandAsync("a", "UID SEARCH RETURN (SAVE) UNSEEN"));
        Assert.Equal(
            ["* 2 FETCH (FLAGS (\\Flagged))", "* 5 FETCH (FLAGS (\\Flagged))", "b OK STORE completed"],
            await f.CommandAsync("b", "STORE $ +FLAGS (\\Flagged)"));
        string copied = Assert.Single(await f.CommandAsync("d", "COPY $ Saved"));
        Assert.StartsWith("d OK [COPYUID ", copied);
        Assert.EndsWith(" 2,5 1:2] COPY completed", copied);
        Assert.Equal(["e OK UID STORE completed"], await f.CommandAsync("e", "UID STORE $ +FLAGS.SILENT (\\Deleted)"));
        Assert.Equal(["* 2 EXPUNGE", "* 4 EXPUNGE", "g OK UID EXPUNGE completed"], await f.CommandAsync("g", "UID EXPUNGE $"));
        // The saved messages are gone; "$" now names nothing.
        Assert.Equal(["h OK MOVE completed"], await f.CommandAsync("h", "MOVE $ Saved"));
        Assert.Equal(["* SEARCH 1 2 3", "i OK SEARCH completed"], await f.CommandAsync("i", "SEARCH ALL"));
    }

    [Fact]
    public async Task Dollar_follows_renumbering_after_expunge()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.Equal(["a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RETURN (SAVE) 3:5"));
        await f.CommandAsync("b", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.Equal(["* 1 EXPUNGE", "c OK EXPUNGE completed"], await f.CommandAsync("c", "EXPUNGE"));
        Assert.Equal(
            ["* 2 FETCH (UID 3)", "* 3 FETCH (UID 4)", "* 4 FETCH (UID 5)", "d OK FETCH completed"],
            await f.CommandAsync("d", "FETCH $ (UID)"));
    }

    [Fact]
    public async Task Failed_save_empties_dollar_and_select_empties_it()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.Equal(["a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RETURN (SAVE) ALL"));
        Assert.Equal(["b BAD Unknown search key"], await f.CommandAsync("b", "SEARCH RETURN (SAVE) BOGUS"));
        Assert.Equal(["c OK FETCH completed"], await f.CommandAsync("c", "FETCH $ (UID)"));

        Assert.Equal(["d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH RETURN (SAVE) ALL"));
        Assert.Equal(["e NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"], await f.CommandAsync("e", "SEARCH RETURN (SAVE) CHARSET X-BOGUS ALL"));
        Assert.Equal(["* SEARCH", "g OK SEARCH completed"], await f.CommandAsync("g", "SEARCH $"));

        Assert.Equal(["h OK SEARCH completed"], await f.CommandAsync("h", "SEARCH RETURN (SAVE) ALL"));
        Assert.EndsWith("OK [READ-WRITE] SELECT completed", (await f.CommandAsync("i", "SELECT INBOX"))[^1]);
        Assert.Equal(["j OK UID FETCH completed"], await f.CommandAsync("j", "UID FETCH $ (UID)"));

        Assert.Equal(["k OK SEARCH completed"], await f.CommandAsync("k", "SEARCH RETURN (SAVE) ALL"));
        Assert.Equal(["l OK UNSELECT completed"], await f.CommandAsync("l", "UNSELECT"));
        Assert.EndsWith("OK [READ-ONLY] EXAMINE completed", (await f.CommandAsync("m", "EXAMINE INBOX"))[^1]);
        Assert.Equal(["* SEARCH", "n OK SEARCH completed"], await f.CommandAsync("n", "SEARCH $"));
    }

    [Fact]
    public async Task Huge_saved_ranges_stay_ranges()
    {
        await using var f = await EsearchTests.FiveAsync();
        Assert.Equal(["* ESEARCH (TAG \"a\") UID ALL 2:5", "a OK UID SEARCH completed"], await f.CommandAsync("a", "UID SEARCH RETURN (SAVE ALL) UID 2:4294967295"));
        Assert.Equal(["* ESEARCH (TAG \"b\") COUNT 4", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH RETURN (COUNT) $ 1:4294967295"));
    }
}
