using System.Text;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>THREAD and UID THREAD (RFC 5256 3): ORDEREDSUBJECT and REFERENCES.</summary>
public class ThreadTests
{
    private static string Msg(string id, string subject, string date, string extra = "") =>
        $"From: a@example.org\r\nMessage-ID: <{id}@x>\r\nSubject: {subject}\r\nDate: {date}\r\n{extra}\r\nbody\r\n";

    private static async Task<ImapFixture> EightAsync()
    {
        var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(Msg("a", "Topic", "Sun, 01 Feb 2026 10:00:00 +0000"));
        await f.AppendAsync(Msg("b", "Re: Topic", "Mon, 02 Feb 2026 10:00:00 +0000", "In-Reply-To: <a@x>\r\n"));
        await f.AppendAsync(Msg("c", "Re: Topic", "Tue, 03 Feb 2026 10:00:00 +0000", "References: <a@x> <b@x>\r\n"));
        await f.AppendAsync(Msg("d", "Re: Topic", "Wed, 04 Feb 2026 10:00:00 +0000", "References: <a@x>\r\n"));
        await f.AppendAsync(Msg("e", "Other", "Thu, 05 Feb 2026 10:00:00 +0000"));
        await f.AppendAsync(Msg("f", "Re: Other", "Fri, 06 Feb 2026 10:00:00 +0000", "References: <missing@x>\r\n"));
        await f.AppendAsync(Msg("g", "Lonely", "Sat, 31 Jan 2026 10:00:00 +0000", "References: <gone@x>\r\n"));
        await f.AppendAsync(Msg("h", "Lonely too", "Sat, 07 Feb 2026 10:00:00 +0000", "References: <gone@x>\r\n"));
        await f.CommandAsync("s", "SELECT INBOX");
        return f;
    }

    [Fact]
    public async Task References_builds_threads_prunes_dummies_and_merges_subjects()
    {
        await using var f = await EightAsync();
        Assert.Equal(
            ["* THREAD ((7)(8))(1 (2 3)(4))(5 6)", "a OK THREAD completed"],
            await f.CommandAsync("a", "THREAD REFERENCES UTF-8 ALL"));
        Assert.Equal(["* THREAD (1 (2)(4))", "b OK UID THREAD completed"], await f.CommandAsync("b", "UID THREAD REFERENCES US-ASCII 1:4 NOT 3"));
    }

    /// <summary>
    /// RFC 5256 REFERENCES step 1: a message's own References decide its parent, so a parent it got
    /// from another message's References is broken off even when the new link is refused because
    /// it would close a loop (c gets parent a from b's References, then c says its parent is b,
    /// which is c's own child). Messages without a Date sort by arrival (imaptest thread).
    /// </summary>
    [Fact]
    public async Task Own_references_break_an_inferred_parent_even_when_the_new_link_would_loop()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync("Message-ID: <a@b>\r\n\r\nbody\r\n", date: new DateTimeOffset(2008, 2, 22, 17, 6, 23, TimeSpan.Zero));
        await f.AppendAsync("Message-Id: <b@b>\r\nReferences: <a@b> <c@b>\r\n\r\nbody\r\n", date: new DateTimeOffset(2008, 2, 22, 15, 6, 23, TimeSpan.Zero));
        await f.AppendAsync("Message-Id: <c@b>\r\nReferences: <b@b>\r\n\r\nbody\r\n", date: new DateTimeOffset(2008, 2, 22, 16, 6, 25, TimeSpan.Zero));
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* THREAD (3 2)(1)", "a OK THREAD completed"], await f.CommandAsync("a", "THREAD REFERENCES US-ASCII ALL"));
        await f.CommandAsync("d", "STORE 1 +FLAGS (\\Deleted)");
        await f.CommandAsync("e", "EXPUNGE");
        Assert.Equal(["* THREAD (2 1)", "b OK THREAD completed"], await f.CommandAsync("b", "THREAD REFERENCES US-ASCII ALL"));
    }

    [Fact]
    public async Task Ordered_subject_groups_by_base_subject()
    {
        await using var f = await EightAsync();
        Assert.Equal(
            ["* THREAD (7)(1 (2)(3)(4))(5 6)(8)", "a OK THREAD completed"],
            await f.CommandAsync("a", "THREAD ORDEREDSUBJECT UTF-8 ALL"));
        Assert.Equal(["* THREAD", "b OK THREAD completed"], await f.CommandAsync("b", "THREAD ORDEREDSUBJECT UTF-8 KEYWORD none"));
    }

    [Fact]
    public async Task Bad_thread_commands()
    {
        await using var f = await EightAsync();
        Assert.Equal(["a BAD Unsupported threading algorithm"], await f.CommandAsync("a", "THREAD JWZ UTF-8 ALL"));
        Assert.Equal(["b NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"], await f.CommandAsync("b", "THREAD REFERENCES LATIN1 ALL"));
        Assert.Equal(["c BAD THREAD needs an algorithm, a charset and search criteria"], await f.CommandAsync("c", "THREAD REFERENCES UTF-8"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deep_reference_chain_does_not_overflow_the_stack(bool reversed)
    {
        const int n = 3000;
        await using var f = await ImapFixture.LoggedInAsync();
        for (int i = 1; i <= n; i++)
        {
            // Forward: each message answers the one before. Reversed: each answers the one after,
            // so children arrive before their parents.
            int parent = reversed ? i + 1 : i - 1;
            string reply = parent >= 1 && parent <= n ? $"In-Reply-To: <m{parent}@x>\r\n" : "";
            await f.AppendAsync($"Message-ID: <m{i}@x>\r\n{reply}Subject: chain\r\n\r\n.\r\n");
        }

        await f.CommandAsync("s", "SELECT INBOX");
        var order = Enumerable.Range(1, n);
        string expected = "* THREAD (" + string.Join(' ', reversed ? order.Reverse() : order) + ")";
        Assert.Equal([expected, "a OK THREAD completed"], await f.CommandAsync("a", "THREAD REFERENCES UTF-8 ALL"));
    }
}
