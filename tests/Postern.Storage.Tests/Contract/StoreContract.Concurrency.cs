namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Maildrop_lock_is_exclusive_per_account()
    {
        await using var store = await OpenStoreAsync();
        var first = store.TryLockMaildrop(1);
        Assert.NotNull(first);
        Assert.Null(store.TryLockMaildrop(1));

        using (var other = store.TryLockMaildrop(2))
        {
            Assert.NotNull(other);
        }

        first.Dispose();
        var second = store.TryLockMaildrop(1);
        Assert.NotNull(second);

        // A repeated Dispose of the old holder must not release the new one.
        first.Dispose();
        Assert.Null(store.TryLockMaildrop(1));
        second.Dispose();
        Assert.NotNull(store.TryLockMaildrop(1));
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_ascending_uids()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                var uids = new List<uint>();
                for (int i = 0; i < 50; i++)
                {
                    uids.Add(await AppendTextAsync(store, inbox, $"task {t} message {i}"));

                    // Readers run alongside the writers.
                    if (i % 10 == 0)
                    {
                        await store.ListMessagesAsync(inbox);
                    }
                }

                return uids;
            })).ToArray();
            var perTask = await Task.WhenAll(tasks);

            // Each task saw its own UIDs ascend; together they are 1..400 with no gaps or repeats.
            Assert.All(perTask, uids => Assert.Equal(uids.Order(), uids));
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (uint)i), perTask.SelectMany(u => u).Order());
            var listed = await store.ListMessagesAsync(inbox);
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (uint)i), listed.Select(m => m.Uid));
            Assert.Equal(400, StoredBodies(store));
        }
    }
}
