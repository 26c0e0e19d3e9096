using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>UIDPLUS (RFC 4315) and MOVE (RFC 6851).</summary>
public class UidPlusAndMoveTests
{
    [Fact]
    public async Task Copy_reports_copyuid_ranges_and_keeps_keywords()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < 4; i++)
        {
            await f.AppendAsync(ImapFixture.Simple);
        }

        var inbox = (await f.Store.GetMailboxAsync(f.Alice.Id, "INBOX"))!;
        await f.Store.SetFlagsAsync(inbox.Id, [2], MessageFlags.Flagged, ["$Important"], FlagChange.Add, null);
        await f.CommandAsync("s", "SELECT INBOX");
        var archive = (await f.Store.GetMailboxAsync(f.Alice.Id, "Archive"))!;
        Assert.Equal([$"a OK [COPYUID {archive.UidValidity} 1:2,4 1:3] COPY completed"], await f.CommandAsync("a", "COPY 1:2,4 Archive"));
        var copied = await f.Store.ListMessagesAsync(archive.Id);
        Assert.Equal(["$Important"], copied[1].Keywords);
        Assert.Equal(MessageFlags.Flagged, copied[1].Flags);
        Assert.Equal(["b OK UID COPY completed"], await f.CommandAsync("b", "UID COPY 99 Archive"));
    }

    [Fact]
    public async Task Move_sends_copyuid_then_expunges()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        for (int i = 0; i < 3; i++)
        {
            await f.AppendAsync(ImapFixture.Simple);
        }

        await f.CommandAsync("s", "SELECT INBOX");
        var trash = (await f.Store.GetMailboxAsync(f.Alice.Id, "Trash"))!;
        Assert.Equal(
            [$"* OK [COPYUID {trash.UidValidity} 1,3 1:2] Moved", "* 1 EXPUNGE", "* 2 EXPUNGE", "a OK MOVE completed"],
            await f.CommandAsync("a", "MOVE 1,3 Trash"));
        Assert.Equal(2, (await f.Store.GetMailboxAsync(f.Alice.Id, "Trash"))!.MessageCount);
        Assert.Equal([2u], (await f.Store.ListMessagesAsync(f.Inbox.Id)).Select(m => m.Uid));

        // The remaining message is now number 1.
        Assert.Equal(
            [$"* OK [COPYUID {trash.UidValidity} 2 3] Moved", "* 1 EXPUNGE", "b OK UID MOVE completed"],
            await f.CommandAsync("b", "UID MOVE 2 Trash"));
        Assert.Equal(["c NO [TRYCREATE] No such mailbox"], await f.CommandAsync("c", "MOVE 1 Nowhere"));
    }

    [Fact]
    public async Task Move_in_examined_mailbox_is_refused()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple);
        await f.CommandAsync("s", "EXAMINE INBOX");
        Assert.Equal(["a NO [READ-ONLY] Mailbox is read-only"], await f.CommandAsync("a", "MOVE 1 Trash"));
        Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id));
    }

    [Fact]
    public async Task Uid_expunge_removes_only_the_given_uids()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Deleted);
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Deleted);
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Deleted);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* 2 EXPUNGE", "a OK UID EXPUNGE completed"], await f.CommandAsync("a", "UID EXPUNGE 2"));
        Assert.Equal([1u, 3u], (await f.Store.ListMessagesAsync(f.Inbox.Id)).Select(m => m.Uid));
        Assert.StartsWith("b BAD", (await f.CommandAsync("b", "UID EXPUNGE"))[^1]);
        Assert.Equal(["* 1 EXPUNGE", "* 1 EXPUNGE", "c OK EXPUNGE completed"], await f.CommandAsync("c", "EXPUNGE"));
    }

    [Fact]
    public async Task Capabilities_include_uidplus_and_move()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var caps = (await f.CommandAsync("a", "CAPABILITY"))[0].Split(' ');
        Assert.Contains("UIDPLUS", caps);
        Assert.Contains("MOVE", caps);
    }
}
