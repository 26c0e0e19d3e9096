using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>QRESYNC (RFC 7162 3.2): resync at SELECT, VANISHED, UID FETCH VANISHED and [CLOSED].</summary>
public class QResyncTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Three messages (MODSEQ 2, 3, 4); then UID 2 gets \Seen (5), UID 3 \Deleted (6) and is expunged (7).</summary>
    private static async Task<ImapFixture> ChangedMailboxAsync()
    {
        var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < 3; i++)
        {
            await f.AppendAsync(ImapFixture.Simple);
        }

        await f.Store.SetFlagsAsync(f.Inbox.Id, [2], MessageFlags.Seen, [], FlagChange.Add, null);
        await f.Store.SetFlagsAsync(f.Inbox.Id, [3], MessageFlags.Deleted, [], FlagChange.Add, null);
        Assert.Equal([3u], await f.Store.ExpungeAsync(f.Inbox.Id));
        await f.SeenByEarlierSessionAsync();
        return f;
    }

    [Fact]
    public async Task Select_with_qresync_reports_vanished_and_changed_messages()
    {
        await using var f = await ChangedMailboxAsync();
        uint validity = f.Inbox.UidValidity;
        Assert.StartsWith("q BAD", (await f.CommandAsync("q", $"SELECT INBOX (QRESYNC ({validity} 4))"))[^1]);
        Assert.Equal(["* ENABLED QRESYNC", "e OK ENABLE completed"], await f.CommandAsync("e", "ENABLE QRESYNC"));

        var lines = await f.CommandAsync("s", $"SELECT INBOX (QRESYNC ({validity} 4))");
        Assert.Equal(
            ["* OK [HIGHESTMODSEQ 7] Highest", "* VANISHED (EARLIER) 3", "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (5))", "s OK [READ-WRITE] SELECT completed"],
            lines[^4..]);

        // Known UIDs limit the report; a selected mailbox is closed with [CLOSED] first.
        lines = await f.CommandAsync("t", $"EXAMINE INBOX (QRESYNC ({validity} 4 1 (1:2 1:2)))");
        Assert.Equal("* OK [CLOSED] Previous mailbox closed", lines[0]);
        Assert.Equal(["* OK [HIGHESTMODSEQ 7] Highest", "t OK [READ-ONLY] EXAMINE completed"], lines[^2..]);

        // Another UIDVALIDITY means the client's cache is void: nothing but the usual responses.
        lines = await f.CommandAsync("u", $"SELECT INBOX (QRESYNC ({validity + 1} 1))");
        Assert.DoesNotContain(lines, l => l.Contains("VANISHED") || l.Contains("FETCH"));

        Assert.StartsWith("v BAD", (await f.CommandAsync("v", "SELECT INBOX (QRESYNC (1))"))[^1]);
        Assert.StartsWith("w BAD", (await f.CommandAsync("w", "SELECT INBOX (QRESYNC (1 0))"))[^1]);
        Assert.StartsWith("x BAD", (await f.CommandAsync("x", "SELECT INBOX (QRESYNC (1 2 1:* (1) 7))"))[^1]);
    }

    [Fact]
    public async Task Uid_fetch_vanished_reports_expunged_uids_in_the_set()
    {
        await using var f = await ChangedMailboxAsync();
        await f.CommandAsync("e", "ENABLE QRESYNC");
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(
            ["* VANISHED (EARLIER) 3", "* 2 FETCH (FLAGS (\\Seen) UID 2 MODSEQ (5))", "a OK UID FETCH completed"],
            await f.CommandAsync("a", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4 VANISHED)"));
        Assert.Equal(
            ["* 2 FETCH (FLAGS (\\Seen) UID 2 MODSEQ (5))", "b OK UID FETCH completed"],
            await f.CommandAsync("b", "UID FETCH 1:2 (FLAGS) (CHANGEDSINCE 4 VANISHED)"));
        Assert.StartsWith("c BAD", (await f.CommandAsync("c", "FETCH 1:* (FLAGS) (CHANGEDSINCE 4 VANISHED)"))[^1]);
        Assert.StartsWith("d BAD", (await f.CommandAsync("d", "UID FETCH 1:* (FLAGS) (VANISHED)"))[^1]);
    }

    [Fact]
    public async Task Vanished_needs_qresync_enabled()
    {
        await using var f = await ChangedMailboxAsync();
        await f.CommandAsync("e", "ENABLE CONDSTORE");
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("a BAD", (await f.CommandAsync("a", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4 VANISHED)"))[^1]);
    }

    [Fact]
    public async Task Expunge_and_move_answer_with_vanished()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < 4; i++)
        {
            await f.AppendAsync(ImapFixture.Simple); // MODSEQ 2..5
        }

        await f.CommandAsync("e", "ENABLE QRESYNC");
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(
            ["* 1 FETCH (UID 1 MODSEQ (6))", "* 2 FETCH (UID 2 MODSEQ (7))", "a OK STORE completed"],
            await f.CommandAsync("a", "STORE 1:2 +FLAGS.SILENT (\\Deleted)"));
        Assert.Equal(["* VANISHED 1:2", "b OK EXPUNGE completed"], await f.CommandAsync("b", "EXPUNGE"));

        var lines = await f.CommandAsync("c", "UID MOVE 4 Archive");
        Assert.StartsWith("* OK [COPYUID ", lines[0]);
        Assert.Equal(["* VANISHED 4", "c OK UID MOVE completed"], lines[1..]);
        Assert.Equal(["* 1 FETCH (UID 3)", "d OK FETCH completed"], await f.CommandAsync("d", "FETCH 1:* UID"));
    }

    [Fact]
    public async Task Another_sessions_expunge_arrives_as_vanished_at_noop_and_idle()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        for (int i = 0; i < 3; i++)
        {
            await one.AppendAsync(ImapFixture.Simple); // MODSEQ 2..4
        }

        await one.CommandAsync("s", "SELECT INBOX");
        await two.CommandAsync("e", "ENABLE QRESYNC");
        await two.CommandAsync("s", "SELECT INBOX");

        await one.CommandAsync("a", "STORE 2 +FLAGS.SILENT (\\Deleted)"); // 5
        await one.CommandAsync("b", "EXPUNGE"); // 6
        Assert.Equal(["* VANISHED 2", "n OK NOOP completed"], await two.CommandAsync("n", "NOOP"));

        await two.Client.SendLineAsync("i IDLE");
        Assert.Equal("+ idling", await two.Client.ReadLineAsync().WaitAsync(Bound));
        await one.CommandAsync("c", "STORE 2 +FLAGS (\\Seen)"); // 7 (UID 3)
        Assert.Equal("* 2 FETCH (FLAGS (\\Seen) UID 3 MODSEQ (7))", await two.Client.ReadLineAsync().WaitAsync(Bound));
        await one.CommandAsync("d", "STORE 1 +FLAGS.SILENT (\\Deleted)"); // 8
        await one.CommandAsync("f", "EXPUNGE"); // 9
        // The \Deleted flag may be reported first, if IDLE woke between the two commits.
        string? line = await two.Client.ReadLineAsync().WaitAsync(Bound);
        if (line != "* VANISHED 1")
        {
            Assert.Equal("* 1 FETCH (FLAGS (\\Deleted) UID 1 MODSEQ (8))", line);
            line = await two.Client.ReadLineAsync().WaitAsync(Bound);
        }

        Assert.Equal("* VANISHED 1", line);
        await two.Client.SendLineAsync("DONE");
        Assert.Equal("i OK IDLE terminated", await two.Client.ReadLineAsync().WaitAsync(Bound));
        Assert.Equal(["* 1 FETCH (UID 3)", "g OK FETCH completed"], await two.CommandAsync("g", "FETCH 1:* UID"));
    }

    [Fact]
    public async Task Without_qresync_another_session_still_sees_expunge()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        await one.AppendAsync(ImapFixture.Simple);
        await one.AppendAsync(ImapFixture.Simple);
        await one.CommandAsync("s", "SELECT INBOX");
        await two.CommandAsync("e", "ENABLE CONDSTORE");
        await two.CommandAsync("s", "SELECT INBOX");
        await one.CommandAsync("a", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await one.CommandAsync("b", "EXPUNGE");
        Assert.Equal(["* 1 EXPUNGE", "n OK NOOP completed"], await two.CommandAsync("n", "NOOP"));
        // A second SELECT without QRESYNC or rev2 sends no [CLOSED].
        Assert.Equal("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", (await two.CommandAsync("s2", "SELECT INBOX"))[0]);
    }
}
