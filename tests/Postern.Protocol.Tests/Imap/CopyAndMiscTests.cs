using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class CopyAndMiscTests
{
    [Fact]
    public async Task Copy_appends_to_the_target_with_flags()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Seen);
        await f.AppendAsync(ImapFixture.Multipart);
        await f.CommandAsync("s", "SELECT INBOX");
        var copy = await f.CommandAsync("a", "UID COPY 2:* Trash");
        var trash = (await f.Store.GetMailboxAsync(f.Alice.Id, "Trash"))!;
        Assert.Equal([$"a OK [COPYUID {trash.UidValidity} 2 1] UID COPY completed"], copy);
        var copied = await f.Store.ListMessagesAsync(trash.Id);
        Assert.Single(copied);
        Assert.Equal(ImapFixture.Multipart.Length, copied[0].Size);

        var copy2 = await f.CommandAsync("b", "COPY 1 Trash");
        Assert.Equal([$"b OK [COPYUID {trash.UidValidity} 1 2] COPY completed"], copy2);
        Assert.Equal(MessageFlags.Seen, (await f.Store.ListMessagesAsync(trash.Id))[1].Flags);

        var missing = await f.CommandAsync("c", "COPY 1 Nowhere");
        Assert.Equal(["c NO [TRYCREATE] No such mailbox"], missing);
    }

    [Fact]
    public async Task Unselect_does_not_expunge()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        await f.AppendAsync(ImapFixture.Simple, MessageFlags.Deleted);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["a OK UNSELECT completed"], await f.CommandAsync("a", "UNSELECT"));
        Assert.Single(await f.Store.ListMessagesAsync(f.Inbox.Id));
        Assert.StartsWith("b BAD", (await f.CommandAsync("b", "FETCH 1 UID"))[^1]);
    }
}
