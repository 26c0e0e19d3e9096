using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Session behaviour once a client has sent ENABLE IMAP4rev2 (RFC 9051).</summary>
public class Imap4Rev2Tests
{
    [Fact]
    public async Task Select_under_rev2_has_list_and_no_recent_and_closes_with_closed()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["* ENABLED IMAP4rev2", "e OK ENABLE completed"], await f.CommandAsync("e", "ENABLE IMAP4rev2"));

        var lines = await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(
            [
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                "* 1 EXISTS",
                "* LIST (\\HasNoChildren) \"/\" INBOX",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                $"* OK [UIDVALIDITY {f.Inbox.UidValidity}] UIDs valid",
                "* OK [UIDNEXT 2] Predicted next UID",
                "s OK [READ-WRITE] SELECT completed",
            ],
            lines);

        lines = await f.CommandAsync("t", "EXAMINE Sent");
        Assert.Equal("* OK [CLOSED] Previous mailbox closed", lines[0]);
        Assert.Contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent", lines);

        // A failed SELECT still closed the previous mailbox.
        lines = await f.CommandAsync("u", "SELECT Nope");
        Assert.Equal(["* OK [CLOSED] Previous mailbox closed", "u NO [NONEXISTENT] No such mailbox"], lines);
        Assert.StartsWith("v BAD", (await f.CommandAsync("v", "FETCH 1 FLAGS"))[^1]);
    }

    [Fact]
    public async Task Status_under_rev2_refuses_recent_and_counts_deleted()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Deleted);
        await f.AppendAsync(ImapFixture.Simple);
        Assert.Equal(["* STATUS INBOX (RECENT 2)", "a OK STATUS completed"], await f.CommandAsync("a", "STATUS INBOX (RECENT)"));
        await f.CommandAsync("e", "ENABLE IMAP4rev2");
        Assert.StartsWith("b BAD", (await f.CommandAsync("b", "STATUS INBOX (MESSAGES RECENT)"))[^1]);
        Assert.Equal(["* STATUS INBOX (MESSAGES 2 DELETED 1)", "c OK STATUS completed"], await f.CommandAsync("c", "STATUS INBOX (MESSAGES DELETED)"));
    }

    [Fact]
    public async Task Rev1_select_keeps_recent_and_unseen()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        var lines = await f.CommandAsync("s", "SELECT INBOX");
        Assert.Contains("* 1 RECENT", lines);
        Assert.Contains("* OK [UNSEEN 1] First unseen message", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("* LIST", StringComparison.Ordinal));
    }
}
