using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using Xunit.Abstractions;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>What the SQLite store costs: one durable append, and listing a very large mailbox.</summary>
public sealed class SqlitePerformanceTests(TempDirectory temp, ITestOutputHelper output) : IClassFixture<TempDirectory>
{
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
