using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// CONDSTORE (RFC 7162 3.1). The memory store starts a mailbox at HIGHESTMODSEQ 1 and gives every
/// change the next number, so the MODSEQ values below are exact.
/// </summary>
public class CondStoreTests
{
    [Fact]
    public async Task Capabilities_and_enable_name_condstore_qresync_and_rev2()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var caps = (await f.CommandAsync("a", "CAPABILITY"))[0].Split(' ');
        Assert.Contains("CONDSTORE", caps);
        Assert.Contains("QRESYNC", caps);
        Assert.Contains("IMAP4rev2", caps);
        Assert.Equal(["* ENABLED CONDSTORE", "b OK ENABLE completed"], await f.CommandAsync("b", "ENABLE condstore"));
        // Already on: ENABLED names only what this command newly enabled (RFC 5161 3.1).
        Assert.Equal(["* ENABLED", "c OK ENABLE completed"], await f.CommandAsync("c", "ENABLE CONDSTORE"));
        Assert.Equal(["* ENABLED QRESYNC IMAP4rev2", "d OK ENABLE completed"], await f.CommandAsync("d", "ENABLE QRESYNC imap4rev2"));
    }

    [Fact]
    public async Task Fetch_and_store_carry_modseq_and_unchangedsince_reports_modified()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple); // MODSEQ 2
        await f.AppendAsync(ImapFixture.Simple); // MODSEQ 3
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("e", "ENABLE CONDSTORE");
        Assert.Contains("* OK [HIGHESTMODSEQ 3] Highest", await f.CommandAsync("s", "SELECT INBOX"));

        Assert.Equal(
            ["* 1 FETCH (FLAGS () MODSEQ (2) UID 1)", "* 2 FETCH (FLAGS () MODSEQ (3) UID 2)", "a OK FETCH completed"],
            await f.CommandAsync("a", "FETCH 1:* (FLAGS MODSEQ)"));
        Assert.Equal(["* 1 FETCH (MODSEQ (2))", "a2 OK FETCH completed"], await f.CommandAsync("a2", "FETCH 1 MODSEQ"));

        Assert.Equal(
            ["* 1 FETCH (FLAGS (\\Seen) UID 1 MODSEQ (4))", "b OK STORE completed"],
            await f.CommandAsync("b", "STORE 1 +FLAGS (\\Seen)"));

        // Message 1 changed after 3: refused and named in [MODIFIED] by UID; message 2 is changed.
        Assert.Equal(
            ["* 2 FETCH (FLAGS (\\Flagged) UID 2 MODSEQ (5))", "c OK [MODIFIED 1] Conditional UID STORE completed"],
            await f.CommandAsync("c", "UID STORE 1:2 (UNCHANGEDSINCE 3) +FLAGS (\\Flagged)"));

        // .SILENT still reports the new MODSEQ (RFC 7162 3.1.3); STORE names refused messages by number.
        Assert.Equal(
            ["* 1 FETCH (UID 1 MODSEQ (6))", "d OK [MODIFIED 2] Conditional STORE completed"],
            await f.CommandAsync("d", "STORE 1:2 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Answered)"));
        Assert.Equal(
            ["f OK [MODIFIED 1:2] Conditional STORE completed"],
            await f.CommandAsync("f", "STORE 1:2 (UNCHANGEDSINCE 0) FLAGS ()"));

        Assert.Equal(
            ["* 1 FETCH (FLAGS (\\Seen \\Answered) UID 1 MODSEQ (6))", "g OK FETCH completed"],
            await f.CommandAsync("g", "FETCH 1:* (FLAGS) (CHANGEDSINCE 5)"));
        Assert.Equal(
            ["* 2 FETCH (UID 2 MODSEQ (5))", "h OK UID FETCH completed"],
            await f.CommandAsync("h", "UID FETCH 2 (UID) (CHANGEDSINCE 4)"));
        Assert.Equal(["i OK FETCH completed"], await f.CommandAsync("i", "FETCH 1:* (FLAGS) (CHANGEDSINCE 6)"));

        Assert.Equal(
            ["* STATUS INBOX (MESSAGES 2 HIGHESTMODSEQ 6)", "j OK STATUS completed"],
            await f.CommandAsync("j", "STATUS INBOX (MESSAGES HIGHESTMODSEQ)"));
    }

    [Fact]
    public async Task Bad_modifiers_are_refused()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("a BAD", (await f.CommandAsync("a", "FETCH 1 (FLAGS) (CHANGEDSINCE x)"))[^1]);
        Assert.StartsWith("b BAD", (await f.CommandAsync("b", "FETCH 1 (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)"))[^1]);
        Assert.StartsWith("c BAD", (await f.CommandAsync("c", "FETCH 1 (FLAGS) (FOO)"))[^1]);
        Assert.StartsWith("d BAD", (await f.CommandAsync("d", "STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)"))[^1]);
        Assert.StartsWith("e BAD", (await f.CommandAsync("e", "STORE 1 (UNCHANGEDSINCE 99999999999999999999999) +FLAGS (\\Seen)"))[^1]);
        Assert.StartsWith("g BAD", (await f.CommandAsync("g", "SELECT INBOX (FOO)"))[^1]);
        Assert.StartsWith("h BAD", (await f.CommandAsync("h", "SELECT INBOX (CONDSTORE CONDSTORE)"))[^1]);
    }

    [Fact]
    public async Task Condstore_enabling_commands_turn_it_on()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple); // MODSEQ 2
        await f.SeenByEarlierSessionAsync();
        var select = await f.CommandAsync("s", "SELECT INBOX");
        Assert.DoesNotContain(select, l => l.Contains("HIGHESTMODSEQ"));
        Assert.Equal(["* 1 FETCH (FLAGS ())", "a OK FETCH completed"], await f.CommandAsync("a", "FETCH 1 FLAGS"));

        // FETCH MODSEQ turns CONDSTORE on and tells the client the HIGHESTMODSEQ it missed at SELECT.
        Assert.Equal(
            ["* OK [HIGHESTMODSEQ 2] Highest", "* 1 FETCH (MODSEQ (2))", "b OK FETCH completed"],
            await f.CommandAsync("b", "FETCH 1 (MODSEQ)"));
        Assert.Equal(["* 1 FETCH (FLAGS () UID 1 MODSEQ (2))", "c OK FETCH completed"], await f.CommandAsync("c", "FETCH 1 FLAGS"));

        await using var g = await f.SecondSessionAsync();
        Assert.Contains("* OK [HIGHESTMODSEQ 2] Highest", await g.CommandAsync("s", "EXAMINE INBOX (CONDSTORE)"));

        await using var h = await f.SecondSessionAsync();
        await h.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(
            ["* OK [HIGHESTMODSEQ 2] Highest", "* 1 FETCH (FLAGS (\\Draft) UID 1 MODSEQ (3))", "a OK STORE completed"],
            await h.CommandAsync("a", "STORE 1 (UNCHANGEDSINCE 2) FLAGS (\\Draft)"));
    }

    [Fact]
    public async Task Reading_a_body_reports_seen_with_uid_and_modseq()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple); // MODSEQ 2
        await f.SeenByEarlierSessionAsync();
        await f.CommandAsync("e", "ENABLE CONDSTORE");
        await f.CommandAsync("s", "SELECT INBOX");
        var lines = await f.CommandAsync("a", "FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)])");
        Assert.StartsWith("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {", lines[0]);
        Assert.Equal(" UID 1 MODSEQ (3) FLAGS (\\Seen))", lines[^2]);
    }

    [Fact]
    public async Task Another_sessions_flag_change_arrives_with_uid_and_modseq_at_noop()
    {
        await using var one = await ImapFixture.LoggedInAsync();
        await using var two = await one.SecondSessionAsync();
        await one.AppendAsync(ImapFixture.Simple); // MODSEQ 2
        await one.AppendAsync(ImapFixture.Simple); // MODSEQ 3
        await one.CommandAsync("s", "SELECT INBOX");
        await two.CommandAsync("e", "ENABLE CONDSTORE");
        await two.CommandAsync("s", "SELECT INBOX");

        // Session one selected first: the messages are \Recent there only (RFC 3501 2.3.2).
        Assert.Equal(["* 2 FETCH (FLAGS (\\Seen \\Recent))", "a OK STORE completed"], await one.CommandAsync("a", "STORE 2 +FLAGS (\\Seen)"));
        Assert.Equal(["* 2 FETCH (FLAGS (\\Seen) UID 2 MODSEQ (4))", "n OK NOOP completed"], await two.CommandAsync("n", "NOOP"));
        Assert.Equal(["n2 OK NOOP completed"], await two.CommandAsync("n2", "NOOP"));

        // A flag set and cleared again between two NOOPs leaves the flags as they were, but the
        // MODSEQ moved: a CONDSTORE client hears of it, a plain one does not need to.
        await one.CommandAsync("b", "STORE 1 +FLAGS.SILENT (\\Flagged)");
        await one.CommandAsync("c", "STORE 1 -FLAGS.SILENT (\\Flagged)");
        Assert.Equal(["* 1 FETCH (FLAGS () UID 1 MODSEQ (6))", "n3 OK NOOP completed"], await two.CommandAsync("n3", "NOOP"));
        Assert.Equal(["n4 OK NOOP completed"], await one.CommandAsync("n4", "NOOP"));
    }
}
