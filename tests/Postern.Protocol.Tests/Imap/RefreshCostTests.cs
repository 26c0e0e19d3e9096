using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// NOOP and IDLE on a large mailbox: while HIGHESTMODSEQ is unchanged the session must not read
/// the whole message list again (it did on every NOOP before).
/// </summary>
public class RefreshCostTests
{
    [Fact]
    public async Task Noop_reads_the_message_list_only_after_a_change()
    {
        var memory = new MemoryMailStore();
        var store = RecordingStore.Wrap(memory);
        await using var f = await ImapFixture.LoggedInAsync(store: store.Store);
        int Lists() => store.Count(nameof(IMailStore.ListMessagesAsync));

        await memory.AppendAsync(f.Inbox.Id, new MemoryStream("Subject: a\r\n\r\na\r\n"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        await f.CommandAsync("s", "SELECT INBOX");
        int afterSelect = Lists();

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([$"n{i} OK NOOP completed"], await f.CommandAsync("n" + i, "NOOP"));
        }

        Assert.Equal(afterSelect, Lists());

        await memory.AppendAsync(f.Inbox.Id, new MemoryStream("Subject: b\r\n\r\nb\r\n"u8.ToArray()), MessageFlags.None, DateTimeOffset.UtcNow);
        Assert.Equal(["* 2 EXISTS", "* 2 RECENT", "m OK NOOP completed"], await f.CommandAsync("m", "NOOP"));
        Assert.Equal(afterSelect + 1, Lists());
        Assert.Equal(["m2 OK NOOP completed"], await f.CommandAsync("m2", "NOOP"));
        Assert.Equal(afterSelect + 1, Lists());
        await f.CommandAsync("z", "LOGOUT");
        await f.Session.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
