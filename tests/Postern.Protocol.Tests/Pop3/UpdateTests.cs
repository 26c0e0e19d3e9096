using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class UpdateTests
{
    private static async Task<(Pop3World World, List<uint> Uids)> WorldWithAsync(int count)
    {
        var world = await Pop3World.CreateAsync();
        for (int i = 1; i <= count; i++)
        {
            await world.AddAsync($"Subject: {i}\r\n\r\nbody {i}\r\n");
        }

        return (world, await world.UidsAsync());
    }

    [Fact]
    public async Task Dele_then_quit_removes_exactly_the_marked_messages()
    {
        var (world, uids) = await WorldWithAsync(4);
        // Flagged \Deleted by an IMAP client but not expunged: POP3 did not DELE it, so it must stay.
        var imapDeleted = await world.Store.AppendAsync(world.InboxId, new MemoryStream("Subject: imap\r\n\r\nx\r\n"u8.ToArray()), MessageFlags.Deleted, DateTimeOffset.UtcNow);
        await using var t = await Pop3Test.StartAsync(world);
        Assert.StartsWith("+OK", await t.LoginAsync());
        Assert.StartsWith("+OK", await t.CommandAsync("DELE 2"));
        Assert.StartsWith("+OK", await t.CommandAsync("DELE 4"));

        // Mail arriving during the session is not in the snapshot and must survive.
        var late = await world.AddAsync("Subject: late\r\n\r\nlate\r\n");

        Assert.Equal("+OK mail.example.org POP3 Postern signing off (2 messages deleted)", await t.QuitAsync());
        Assert.Equal([uids[0], uids[2], imapDeleted, late], await world.UidsAsync());
        Assert.All(await world.Store.ListMessagesAsync(world.InboxId), m => Assert.Equal(m.Uid == imapDeleted, m.Flags.HasFlag(MessageFlags.Deleted)));
    }

    [Fact]
    public async Task Dele_then_dropped_connection_removes_nothing_and_releases_the_lock()
    {
        var (world, uids) = await WorldWithAsync(2);
        await using (var t = await Pop3Test.StartAsync(world))
        {
            Assert.StartsWith("+OK", await t.LoginAsync());
            Assert.StartsWith("+OK", await t.CommandAsync("DELE 1"));
            Assert.StartsWith("+OK", await t.CommandAsync("DELE 2"));
        }

        // DisposeAsync dropped the connection and waited for the session to end.
        Assert.Equal(uids, await world.UidsAsync());
        Assert.All(await world.Store.ListMessagesAsync(world.InboxId), m => Assert.Equal(MessageFlags.None, m.Flags));

        await using var again = await Pop3Test.StartAsync(world);
        Assert.StartsWith("+OK Logged in, maildrop has 2 messages", await again.LoginAsync());
    }

    [Fact]
    public async Task Quit_without_deletions_removes_nothing()
    {
        var (world, uids) = await WorldWithAsync(2);
        await using var t = await Pop3Test.StartAsync(world);
        Assert.StartsWith("+OK", await t.LoginAsync());
        await t.QuitAsync("+OK");
        Assert.Equal(uids, await world.UidsAsync());
    }

    [Fact]
    public async Task Failed_update_is_reported_with_sys_temp()
    {
        var (world, uids) = await WorldWithAsync(2);
        var failing = RecordingStore.Wrap(world.Store).Fail(nameof(IMailStore.ExpungeAsync), new IOException("disk on fire"));
        await using var t = await Pop3Test.StartAsync(world, store: failing.Store);
        Assert.StartsWith("+OK", await t.LoginAsync());
        Assert.StartsWith("+OK", await t.CommandAsync("DELE 1"));
        Assert.Equal("-ERR [SYS/TEMP] Some deleted messages were not removed", await t.QuitAsync("-ERR"));
        Assert.Equal(uids, await world.UidsAsync());

        // The lock was released even though UPDATE failed.
        await using var again = await Pop3Test.StartAsync(world);
        Assert.StartsWith("+OK Logged in", await again.LoginAsync());
    }
}
