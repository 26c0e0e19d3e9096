using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>ESEARCH result options (RFC 4731), charsets, MODSEQ (RFC 7162 3.1.5) and the full key set.</summary>
public class EsearchTests
{
    /// <summary>Five messages; 1, 3 and 4 are \Seen. UIDs are 1..5 and MODSEQs 2..6.</summary>
    internal static async Task<ImapFixture> FiveAsync()
    {
        var f = await ImapFixture.LoggedInAsync();
        MessageFlags[] flags = [MessageFlags.Seen, MessageFlags.None, MessageFlags.Seen, MessageFlags.Seen, MessageFlags.None];
        for (int i = 0; i < flags.Length; i++)
        {
            await f.AppendAsync($"From: u{i + 1}@example.org\r\nSubject: number {i + 1}\r\nX-Tag: {(i % 2 == 0 ? "odd" : "")}\r\n\r\nbody {i + 1}\r\n", flags[i]);
        }

        await f.SeenByEarlierSessionAsync();
        Assert.EndsWith("OK [READ-WRITE] SELECT completed", (await f.CommandAsync("s", "SELECT INBOX"))[^1]);
        return f;
    }

    [Fact]
    public async Task Return_options_give_one_esearch_line()
    {
        await using var f = await FiveAsync();
        Assert.Equal(
            ["* ESEARCH (TAG \"a\") MIN 1 MAX 4 COUNT 3 ALL 1,3:4", "a OK SEARCH completed"],
            await f.CommandAsync("a", "SEARCH RETURN (MIN MAX COUNT ALL) SEEN"));
        Assert.Equal(["* ESEARCH (TAG \"b\") UID ALL 1:5", "b OK UID SEARCH completed"], await f.CommandAsync("b", "UID SEARCH RETURN () ALL"));
        Assert.Equal(["* ESEARCH (TAG \"c\") COUNT 2", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH RETURN (COUNT) UNSEEN"));
        Assert.Equal(["* ESEARCH (TAG \"d\") UID MAX 5", "d OK UID SEARCH completed"], await f.CommandAsync("d", "UID SEARCH RETURN (MAX) CHARSET UTF-8 ALL"));
    }

    [Fact]
    public async Task Empty_results_carry_only_count_zero()
    {
        await using var f = await FiveAsync();
        Assert.Equal(["* ESEARCH (TAG \"a\")", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH RETURN (MIN MAX ALL) KEYWORD nothing"));
        Assert.Equal(["* ESEARCH (TAG \"b\") UID COUNT 0", "b OK UID SEARCH completed"], await f.CommandAsync("b", "UID SEARCH RETURN (MIN COUNT) KEYWORD nothing"));
    }

    [Fact]
    public async Task Bad_return_options_and_charsets_are_refused()
    {
        await using var f = await FiveAsync();
        Assert.Equal(["a BAD Unknown RETURN option"], await f.CommandAsync("a", "SEARCH RETURN (PARTIAL) ALL"));
        Assert.Equal(["b BAD RETURN needs a list of options"], await f.CommandAsync("b", "SEARCH RETURN ALL"));
        Assert.Equal(["c NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"], await f.CommandAsync("c", "SEARCH CHARSET KOI8-R ALL"));
        Assert.Equal(["* SEARCH 2 5", "d OK SEARCH completed"], await f.CommandAsync("d", "SEARCH CHARSET us-ascii UNSEEN"));
    }

    [Fact]
    public async Task Modseq_key_adds_the_highest_modseq()
    {
        await using var f = await FiveAsync();
        // The MODSEQ key turns CONDSTORE on, which announces HIGHESTMODSEQ once (RFC 7162 3.1).
        Assert.Equal(["* OK [HIGHESTMODSEQ 6] Highest", "* SEARCH 3 4 5 (MODSEQ 6)", "a OK SEARCH completed"], await f.CommandAsync("a", "SEARCH MODSEQ 4"));
        Assert.Equal(["* SEARCH 4 (MODSEQ 5)", "b OK SEARCH completed"], await f.CommandAsync("b", "SEARCH MODSEQ \"/flags/\\\\draft\" all 4 SEEN NOT 3"));
        Assert.Equal(["* SEARCH", "c OK SEARCH completed"], await f.CommandAsync("c", "SEARCH MODSEQ 100"));
        Assert.Equal(["* ESEARCH (TAG \"d\") UID MIN 3 COUNT 3 MODSEQ 6", "d OK UID SEARCH completed"], await f.CommandAsync("d", "UID SEARCH RETURN (MIN COUNT) MODSEQ 4"));
        Assert.Equal(["* ESEARCH (TAG \"e\") MIN 3 MODSEQ 4", "e OK SEARCH completed"], await f.CommandAsync("e", "SEARCH RETURN (MIN) MODSEQ 4"));
        Assert.Equal(["f BAD Invalid MODSEQ entry type"], await f.CommandAsync("f", "SEARCH MODSEQ \"/flags/\\\\draft\" other 4"));
    }

    [Theory]
    [InlineData("SEARCH SMALLER 1", "* SEARCH")]
    [InlineData("SEARCH LARGER 1 NOT LARGER 100000", "* SEARCH 1 2 3 4 5")]
    [InlineData("SEARCH HEADER X-Tag \"\"", "* SEARCH 1 2 3 4 5")]
    [InlineData("SEARCH HEADER X-Tag odd", "* SEARCH 1 3 5")]
    [InlineData("SEARCH OR (SEEN FROM u1) (NOT SEEN FROM u5)", "* SEARCH 1 5")]
    [InlineData("SEARCH NOT NOT NOT SEEN", "* SEARCH 2 5")]
    [InlineData("SEARCH UID 2:3,5", "* SEARCH 2 3 5")]
    [InlineData("SEARCH 4:* UNSEEN", "* SEARCH 5")]
    [InlineData("SEARCH SENTBEFORE 1-Jan-2000", "* SEARCH")]
    [InlineData("SEARCH SINCE \"1-Feb-2026\" BEFORE 3-Feb-2026", "* SEARCH 1 2 3 4 5")]
    [InlineData("SEARCH OLDER 60", "* SEARCH 1 2 3 4 5")]
    [InlineData("SEARCH YOUNGER 60", "* SEARCH")]
    [InlineData("SEARCH KEYWORD $Junk", "* SEARCH")]
    [InlineData("SEARCH UNKEYWORD $Junk 1", "* SEARCH 1")]
    [InlineData("SEARCH SUBJECT \"number 3\"", "* SEARCH 3")]
    [InlineData("SEARCH TEXT \"body 4\"", "* SEARCH 4")]
    public async Task Every_key_of_the_grammar(string command, string expected)
    {
        await using var f = await FiveAsync();
        Assert.Equal([expected, "a OK SEARCH completed"], await f.CommandAsync("a", command));
    }

    [Theory]
    [InlineData("SEARCH OLDER 0")]
    [InlineData("SEARCH MODSEQ x")]
    [InlineData("SEARCH UID")]
    [InlineData("SEARCH 1,$")]
    [InlineData("SEARCH ()")]
    public async Task Malformed_keys_are_bad(string command)
    {
        await using var f = await FiveAsync();
        Assert.StartsWith("a BAD ", Assert.Single(await f.CommandAsync("a", command)));
    }
}
