using Postern.Storage.Tests.Support;


namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Every_committed_change_is_reported_until_disposed()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var other = await store.CreateMailboxAsync(alice.Id, "Other");
            var probe = new ChangeProbe();
            var watch = store.WatchMailbox(inbox, probe.OnChange);

            await probe.ExpectAsync(() => AppendTextAsync(store, inbox, "appended"));
            await probe.ExpectAsync(() => store.AcceptAsync(new InboundMessage("", [alice.Id], []), new MemoryStream("delivered"u8.ToArray())));
            await probe.ExpectAsync(() => store.SetFlagsAsync(inbox, [1], MessageFlags.Deleted, FlagChange.Add));
            await probe.ExpectAsync(() => store.ExpungeAsync(inbox));
            await AppendTextAsync(store, other.Id, "x");
            await probe.ExpectAsync(() => store.CopyAsync(other.Id, [1], inbox));
            await probe.ExpectAsync(() => store.MoveAsync(inbox, [2], other.Id));
            await probe.ExpectAsync(() => store.MoveAsync(other.Id, [2], inbox));
            await probe.ExpectAsync(() => store.RenameMailboxAsync(alice.Id, "INBOX", "Former Inbox"));
            int reported = probe.Count;

            // Changes elsewhere, and no-ops, are not reported. Notification is synchronous with the
            // commit, so when the awaited call returns any report would already have happened.
            await AppendTextAsync(store, other.Id, "elsewhere");
            await store.SetFlagsAsync(inbox, [999], MessageFlags.Seen, FlagChange.Add);
            Assert.Equal(reported, probe.Count);

            watch.Dispose();
            watch.Dispose();
            await AppendTextAsync(store, inbox, "after dispose");
            await store.SetFlagsAsync(inbox, [await AppendTextAsync(store, inbox, "again")], MessageFlags.Seen, FlagChange.Add);
            Assert.Equal(reported, probe.Count);
        }
    }

    [Fact]
    public async Task Rename_and_delete_are_reported_to_the_mailbox_watchers()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var box = await store.CreateMailboxAsync(alice.Id, "Box");
            var child = await store.CreateMailboxAsync(alice.Id, "Box/Child");
            var probe = new ChangeProbe();
            var childProbe = new ChangeProbe();
            using var watch = store.WatchMailbox(box.Id, probe.OnChange);
            using var childWatch = store.WatchMailbox(child.Id, childProbe.OnChange);

            await childProbe.ExpectAsync(() => probe.ExpectAsync(() => store.RenameMailboxAsync(alice.Id, "Box", "Crate")));
            await childProbe.ExpectAsync(() => store.DeleteMailboxAsync(alice.Id, "Crate/Child"));
            await probe.ExpectAsync(() => store.DeleteMailboxAsync(alice.Id, "Crate"));
        }
    }

    [Fact]
    public async Task A_throwing_watcher_breaks_neither_the_store_nor_other_watchers()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using var _ = store;
        long inbox = await InboxIdAsync(store, alice.Id);
        using var bad = store.WatchMailbox(inbox, () => throw new InvalidOperationException("watcher bug"));
        var probe = new ChangeProbe();
        using var good = store.WatchMailbox(inbox, probe.OnChange);

        uint uid = 0;
        await probe.ExpectAsync(async () => uid = await AppendTextAsync(store, inbox, "still stored"));
        Assert.Equal(1u, uid);
        Assert.Single(await store.ListMessagesAsync(inbox));
    }
}
