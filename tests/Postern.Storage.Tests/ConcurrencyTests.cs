using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using Xunit.Abstractions;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

public sealed class ConcurrencyTests(TempDirectory temp, ITestOutputHelper output) : IClassFixture<TempDirectory>
{
    [Fact]
    public async Task Maildrop_lock_is_exclusive_per_account()
    {
        await using var store = await SqliteMailStore.OpenAsync(temp.NewDataDirectory());
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
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var clock = Stopwatch.StartNew();
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
            output.WriteLine($"400 concurrent appends took {clock.ElapsedMilliseconds} ms");

            // Each task saw its own UIDs ascend; together they are 1..400 with no gaps or repeats.
            Assert.All(perTask, uids => Assert.Equal(uids.Order(), uids));
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (uint)i), perTask.SelectMany(u => u).Order());
            var listed = await store.ListMessagesAsync(inbox);
            Assert.Equal(Enumerable.Range(1, 400).Select(i => (uint)i), listed.Select(m => m.Uid));
            Assert.Equal(400, BodyFiles(dir).Length);
        }
    }

    [Fact]
    public async Task Sequential_append_latency_is_reported()
    {
        var (store, alice) = await OpenWithAliceAsync(temp.NewDataDirectory());
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            byte[] body = new byte[4096];
            const int count = 50;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                await store.AppendAsync(inbox, new MemoryStream(body), MessageFlags.None, DateTimeOffset.UtcNow);
            }

            // Informational only (machine dependent): what one durable append costs here.
            output.WriteLine($"one 4 KiB append with fsync: {clock.Elapsed.TotalMilliseconds / count:F2} ms (directory sync: {DirectorySync.IsSupported})");
            Assert.Equal(count, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.MessageCount);
        }
    }

    [Fact]
    public async Task Listing_100000_messages_is_one_fast_query()
    {
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "template");
            const int total = 100_000;

            // Test-only bulk insert: 100,000 durable appends would take minutes; the rows share
            // the first message's body, which is what listing is about anyway.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir, "store.db")};Pooling=False"))
            {
                connection.Open();
                using var tx = connection.BeginTransaction();
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    WITH RECURSIVE n(uid) AS (SELECT 2 UNION ALL SELECT uid + 1 FROM n WHERE uid < $total)
                    INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, internal_tz, size, modseq, keywords)
                    SELECT $mailbox, uid, t.blob_id, uid % 2, t.internal_date, 0, t.size, uid, CASE WHEN uid % 10 = 0 THEN '$Label' || (uid % 7) || ' Work' END
                    FROM n, (SELECT blob_id, internal_date, size FROM messages WHERE mailbox_id = $mailbox AND uid = 1) t;
                    UPDATE mailboxes SET uid_next = $total + 1, highest_modseq = $total WHERE id = $mailbox;
                    """;
                cmd.Parameters.AddWithValue("$total", total);
                cmd.Parameters.AddWithValue("$mailbox", inbox);
                cmd.ExecuteNonQuery();
                tx.Commit();
            }

            var clock = Stopwatch.StartNew();
            var list = await store.ListMessagesAsync(inbox);
            var listTime = clock.Elapsed;
            clock.Restart();
            var info = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            output.WriteLine($"ListMessagesAsync({total}): {listTime.TotalMilliseconds:F0} ms; GetMailboxAsync: {clock.Elapsed.TotalMilliseconds:F0} ms");

            Assert.Equal(total, list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                Assert.Equal((uint)(i + 1), list[i].Uid);
            }

            // Odd UIDs from 3 on are \Seen; UID 1 (the template) and the even ones are not.
            Assert.Equal((total, (total / 2) + 1, (uint)total + 1), (info.MessageCount, info.UnseenCount, info.UidNext));

            // Keywords and MODSEQ come with the same listing query (every tenth message has two).
            Assert.Equal(["$Label6", "Work"], list[19].Keywords);
            Assert.Empty(list[20].Keywords);
            Assert.Equal(21ul, list[20].ModSeq);
            Assert.Equal(8, info.Keywords.Count);
            Assert.Equal((ulong)total, info.HighestModSeq);

            // Generous bound for a shared 2-core machine; a per-row query design would blow it.
            Assert.True(listTime < TimeSpan.FromSeconds(5), $"listing took {listTime}");
        }
    }
}
