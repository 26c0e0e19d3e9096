using System.Text;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>SORT and UID SORT (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO).</summary>
public class SortTests
{
    private static readonly string[] Messages =
    [
        "From: \"Zed Zulu\" <zed@example.org>\r\nTo: bob@example.org\r\nCc: carl@example.org\r\nSubject: Re: Apples\r\nDate: Tue, 03 Feb 2026 10:00:00 +0000\r\n\r\n" + new string('x', 400) + "\r\n",
        "From: Anna <anna@example.org>\r\nTo: zoe@example.org\r\nSubject: bananas\r\nDate: Sun, 01 Feb 2026 12:00:00 +0000\r\n\r\nb\r\n",
        "From: mike@example.org\r\nTo: Amy <yuri@example.org>\r\nSubject: [list] Fwd: apples (fwd)\r\n\r\n" + new string('y', 200) + "\r\n",
        "From: Xavier <bob@example.org>\r\nSubject: Cherries\r\nDate: Mon, 02 Feb 2026 23:30:00 -0500\r\n\r\nc\r\n",
    ];

    private static readonly DateTimeOffset[] Arrivals =
    [
        new(2026, 2, 10, 0, 0, 0, TimeSpan.Zero),
        new(2026, 2, 5, 0, 0, 0, TimeSpan.Zero),
        new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero),
        new(2026, 2, 5, 0, 0, 0, TimeSpan.Zero),
    ];

    /// <summary>The four messages above as MSN 1..4 with UIDs 2..5 (a first message is expunged), 2 and 4 \Seen.</summary>
    private static async Task<ImapFixture> FourAsync()
    {
        var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync("Subject: gone\r\n\r\n.\r\n", MessageFlags.Deleted);
        for (int i = 0; i < Messages.Length; i++)
        {
            await f.AppendAsync(Messages[i], i % 2 == 1 ? MessageFlags.Seen : MessageFlags.None, Arrivals[i]);
        }

        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* 1 EXPUNGE", "e OK EXPUNGE completed"], await f.CommandAsync("e", "EXPUNGE"));
        return f;
    }

    [Theory]
    [InlineData("(SUBJECT)", "1 3 2 4")]
    [InlineData("(DATE)", "3 2 4 1")]
    [InlineData("(REVERSE DATE)", "1 4 2 3")]
    [InlineData("(ARRIVAL)", "3 2 4 1")]
    [InlineData("(REVERSE ARRIVAL)", "1 2 4 3")]
    [InlineData("(FROM)", "2 4 3 1")]
    [InlineData("(DISPLAYFROM)", "2 3 4 1")]
    [InlineData("(TO)", "4 1 3 2")]
    [InlineData("(DISPLAYTO)", "4 3 1 2")]
    [InlineData("(CC)", "2 3 4 1")]
    [InlineData("(CC REVERSE SUBJECT)", "4 2 3 1")]
    [InlineData("(ARRIVAL SUBJECT)", "3 2 4 1")]
    public async Task Sorts_by_each_key(string criteria, string expected)
    {
        await using var f = await FourAsync();
        Assert.Equal(["* SORT " + expected, "a OK SORT completed"], await f.CommandAsync("a", $"SORT {criteria} UTF-8 ALL"));
    }

    /// <summary>
    /// The first address may be a group: its name is the key, as it is the addr-mailbox of the
    /// group's first ENVELOPE address (RFC 5256 3, RFC 5957 3); without a display name DISPLAYTO is
    /// the addr-spec, and encoded words are decoded. Ties go by sequence number, also under REVERSE
    /// (imaptest sort-addresses, sort-display-to).
    /// </summary>
    [Theory]
    [InlineData("(CC)", "3 1 2")]
    [InlineData("(REVERSE CC)", "1 2 3")]
    [InlineData("(TO REVERSE ARRIVAL)", "3 2 1")]
    [InlineData("(DISPLAYTO)", "6 2 3 8 4 1 5 7")]
    [InlineData("(REVERSE DISPLAYTO)", "7 5 1 4 8 3 2 6")]
    public async Task Groups_and_addresses_without_names_have_keys(string criteria, string expected)
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string[] headers = expected.Length > 5
            ?
            [
                "To: foo bar <a@b.c>", "To: b@c.d", "To: d", "To: =?iso-8859-1?q?foo_aar?= <e@f.g>", "To: =?iso-8859-1?q?foo_car?= <f@g.h>",
                "To: a: xx@xx.org, yy@yy.org;", "To: z: aa@aa.org, bb@bb.org;", "To: empty:;",
            ]
            :
            [
                "To: foo bar <user2@domain2.org>\r\nCc: user2@domain2.org (foo bar)",
                "To: user2@domain1.org\r\nCc: user2: blah@domain1.org;",
                "To: user1@domain1.org\r\nCc: user1@domain1.org",
            ];
        for (int i = 0; i < headers.Length; i++)
        {
            await f.AppendAsync($"From: user@domain\r\n{headers[i]}\r\nSubject: s\r\n\r\nbody\r\n", date: new DateTimeOffset(2008, 2, 22, i, 0, 0, TimeSpan.Zero));
        }

        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* SORT " + expected, "a OK SORT completed"], await f.CommandAsync("a", $"SORT {criteria} US-ASCII ALL"));
    }

    [Fact]
    public async Task Size_and_uid_sort_with_search_keys()
    {
        await using var f = await FourAsync();
        var bySize = Enumerable.Range(0, Messages.Length).OrderBy(i => Encoding.UTF8.GetByteCount(Messages[i])).ThenBy(i => i).Select(i => (i + 1).ToString());
        Assert.Equal(["* SORT " + string.Join(' ', bySize), "a OK SORT completed"], await f.CommandAsync("a", "SORT (SIZE) US-ASCII ALL"));
        Assert.Equal(["* SORT 5 3", "b OK UID SORT completed"], await f.CommandAsync("b", "UID SORT (REVERSE SUBJECT) UTF-8 SEEN"));
        Assert.Equal(["* SORT", "c OK SORT completed"], await f.CommandAsync("c", "SORT (SUBJECT) UTF-8 KEYWORD none"));
        // The MODSEQ key turns CONDSTORE on, which announces HIGHESTMODSEQ once (RFC 7162 3.1).
        Assert.Equal(["* OK [HIGHESTMODSEQ 7] Highest", "* SORT 4 (MODSEQ 6)", "d OK SORT completed"], await f.CommandAsync("d", "SORT (DATE) UTF-8 MODSEQ 6"));
    }

    [Fact]
    public async Task Bad_sort_commands()
    {
        await using var f = await FourAsync();
        Assert.Equal(["a BAD Sort criteria must be a non-empty list"], await f.CommandAsync("a", "SORT SUBJECT UTF-8 ALL"));
        Assert.Equal(["b BAD REVERSE without a sort key"], await f.CommandAsync("b", "SORT (SUBJECT REVERSE) UTF-8 ALL"));
        Assert.Equal(["c BAD Unknown sort key"], await f.CommandAsync("c", "SORT (COLOUR) UTF-8 ALL"));
        Assert.Equal(["d NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"], await f.CommandAsync("d", "SORT (SUBJECT) KOI8-R ALL"));
        Assert.Equal(["e BAD SORT needs sort criteria, a charset and search criteria"], await f.CommandAsync("e", "SORT (SUBJECT) ALL"));
        Assert.Equal(["g BAD Sort criteria must be a non-empty list"], await f.CommandAsync("g", "SORT () UTF-8 ALL"));
    }

    [Fact]
    public async Task Capabilities_are_advertised()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        string caps = (await f.CommandAsync("a", "CAPABILITY"))[0];
        foreach (string c in new[] { "ESEARCH", "SEARCHRES", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "WITHIN" })
        {
            Assert.Contains(" " + c + " ", caps + " ");
        }
    }
}
