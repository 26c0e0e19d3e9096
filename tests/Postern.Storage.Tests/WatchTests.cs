using Microsoft.Extensions.Logging;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

public sealed class WatchTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    /// <summary>Counts notifications and lets a test await the next one (bounded).</summary>
    private sealed class Probe
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnChange()
        {
            TaskCompletionSource done;
            lock (_lock)
            {
                _count++;
                done = _next;
                _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            done.TrySetResult();
        }

        /// <summary>Runs <paramref name="change"/> and waits until it was reported.</summary>
        public async Task ExpectAsync(Func<Task> change)
        {
            Task next;
            lock (_lock)
            {
                next = _next.Task;
            }

            await change();
            await next.WaitAsync(s_wait);
        }
    }

    [Fact]
    public async Task Every_committed_change_is_reported_until_disposed()
    {
        var (store, alice) = await OpenWithAliceAsync(temp.NewDataDirectory());
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var other = await store.CreateMailboxAsync(alice.Id, "Other");
            var probe = new Probe();
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
        var (store, alice) = await OpenWithAliceAsync(temp.NewDataDirectory());
        await using (store)
        {
            var box = await store.CreateMailboxAsync(alice.Id, "Box");
            var child = await store.CreateMailboxAsync(alice.Id, "Box/Child");
            var probe = new Probe();
            var childProbe = new Probe();
            using var watch = store.WatchMailbox(box.Id, probe.OnChange);
            using var childWatch = store.WatchMailbox(child.Id, childProbe.OnChange);

            await childProbe.ExpectAsync(() => probe.ExpectAsync(() => store.RenameMailboxAsync(alice.Id, "Box", "Crate")));
            await childProbe.ExpectAsync(() => store.DeleteMailboxAsync(alice.Id, "Crate/Child"));
            await probe.ExpectAsync(() => store.DeleteMailboxAsync(alice.Id, "Crate"));
        }
    }

    [Fact]
    public async Task A_throwing_watcher_is_logged_and_breaks_neither_the_store_nor_other_watchers()
    {
        var logger = new CollectingLogger();
        string dir = temp.NewDataDirectory();
        await using var store = await SqliteMailStore.OpenAsync(dir, logger);
        await store.AddDomainAsync("example.org");
        var alice = await store.AddAccountAsync("alice@example.org", Hash);
        long inbox = await InboxIdAsync(store, alice.Id);

        using var bad = store.WatchMailbox(inbox, () => throw new InvalidOperationException("watcher bug"));
        var probe = new Probe();
        using var good = store.WatchMailbox(inbox, probe.OnChange);

        uint uid = 0;
        await probe.ExpectAsync(async () => uid = await AppendTextAsync(store, inbox, "still stored"));
        Assert.Equal(1u, uid);
        Assert.Single(await store.ListMessagesAsync(inbox));
        var entry = Assert.Single(logger.Entries, e => e.Id == 505);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    private sealed class CollectingLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(int Id, LogLevel Level, Exception? Exception)> _entries = [];

        public List<(int Id, LogLevel Level, Exception? Exception)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((eventId.Id, logLevel, exception));
            }
        }
    }
}
