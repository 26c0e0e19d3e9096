using System.Text;
using Microsoft.Data.Sqlite;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>Schema step 3 on SQLite: migration of counters, the header cache and the structure cache, and their crash safety.</summary>
public sealed class SqliteHotPathTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    private static SqliteConnection Raw(string dir)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every mailbox's stored counters equal what its messages say.</summary>
    private static void AssertCountersMatchMessages(SqliteConnection connection) =>
        Assert.Equal(0L, Scalar(connection, """
            SELECT COUNT(*) FROM mailboxes m WHERE
                m.message_count <> (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = m.id)
             OR m.unseen_count  <> (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = m.id AND (g.flags & 1) = 0)
             OR m.deleted_count <> (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = m.id AND (g.flags & 8) <> 0)
             OR m.total_size    <> (SELECT COALESCE(SUM(g.size), 0) FROM messages g WHERE g.mailbox_id = m.id);
            """));

    /// <summary>A store as the version-2 code left it: two mailboxes, messages with flags, no header cache.</summary>
    private static void CreateVersion2Store(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "messages", "ab"));
        File.WriteAllText(Path.Combine(dir, "messages", "ab", "ab000000000000000000000000000001.eml"), "Subject: one\r\n\r\nfirst");
        File.WriteAllText(Path.Combine(dir, "messages", "ab", "ab000000000000000000000000000002.eml"), "Subject: two\r\n\r\nsecond!");
        using var connection = Raw(dir);
        Exec(connection, "PRAGMA journal_mode = WAL;" + Schema.Step(1) + Schema.Step(2) + """
            PRAGMA user_version = 2;
            INSERT INTO domains (id, name) VALUES (1, 'example.org');
            INSERT INTO accounts (id, domain_id, address, password_hash, created_at) VALUES (1, 1, 'alice@example.org', 'h', 0);
            INSERT INTO mailboxes (id, account_id, name, special_use, uid_validity, uid_next, subscribed, highest_modseq) VALUES
                (1, 1, 'INBOX', NULL, 1700000000, 4, 1, 7),
                (2, 1, 'Sent', '\Sent', 1700000001, 2, 1, 3);
            INSERT INTO counters (name, value) VALUES ('uid_validity', 1700000001);
            INSERT INTO blobs (id, path, size) VALUES (1, 'ab/ab000000000000000000000000000001.eml', 21), (2, 'ab/ab000000000000000000000000000002.eml', 23);
            INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, internal_tz, size, modseq, keywords) VALUES
                (1, 1, 1, 1, 1700000000000, 0, 21, 5, 'Work'),
                (1, 3, 2, 8, 1700000001000, 0, 23, 7, NULL),
                (2, 1, 1, 0, 1700000000000, 0, 21, 3, NULL);
            """);
    }

    [Fact]
    public async Task A_version_2_store_gets_its_counters_computed_and_headers_filled_lazily()
    {
        string dir = temp.NewDataDirectory();
        CreateVersion2Store(dir);
        await using (var store = await SqliteMailStore.OpenAsync(dir))
        {
            var inbox = (await store.GetMailboxAsync(1, "INBOX"))!;
            Assert.Equal((2, 1, 1, 44L, 7ul), (inbox.MessageCount, inbox.UnseenCount, inbox.DeletedCount, inbox.TotalSize, inbox.HighestModSeq));
            Assert.Equal(["Work"], inbox.Keywords);
            var sent = (await store.GetMailboxAsync(1, "Sent"))!;
            Assert.Equal((1, 1, 0, 21L), (sent.MessageCount, sent.UnseenCount, sent.DeletedCount, sent.TotalSize));
            Assert.Equal(7ul, await store.GetHighestModSeqAsync(1));
            Assert.Equal([3u], (await store.ListMessagesAsync(1, 5)).Select(m => m.Uid));

            using (var raw = Raw(dir))
            {
                Assert.Equal(0L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
            }

            List<uint> read = [];
            await foreach (var (uid, header) in store.ReadHeadersAsync(1, [1, 3]))
            {
                read.Add(uid);
                Assert.StartsWith("Subject: ", Encoding.ASCII.GetString(header.Span));
            }

            Assert.Equal([1u, 3u], read);
            using (var raw = Raw(dir))
            {
                // Filled once, and shared by the Sent copy of blob 1.
                Assert.Equal(2L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
                AssertCountersMatchMessages(raw);
            }

            Assert.Equal("Subject: one\r\n\r\n", Encoding.ASCII.GetString((await store.ReadHeaderAsync(2, 1))!.Value.Span));

            // The file is no longer needed for the header: prove it by removing it.
            File.Delete(Path.Combine(dir, "messages", "ab", "ab000000000000000000000000000002.eml"));
            Assert.Equal("Subject: two\r\n\r\n", Encoding.ASCII.GetString((await store.ReadHeaderAsync(1, 3))!.Value.Span));
        }

        using var connection = Raw(dir);
        Assert.Equal((long)Schema.CurrentVersion, Scalar(connection, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task Append_stores_the_header_in_the_same_transaction_and_long_headers_are_read_from_the_file()
    {
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using var _ = store;
        long inbox = await InboxIdAsync(store, alice.Id);
        uint small = await AppendTextAsync(store, inbox, "Subject: s\r\n\r\nbody");
        string big = "Subject: b\r\nX-Big: " + new string('y', HeaderBlock.MaxCached) + "\r\n\r\nbody";
        uint large = await AppendTextAsync(store, inbox, big);
        await store.AcceptAsync(new InboundMessage("x@example.net", [alice.Id], []), new MemoryStream("Subject: smtp\r\n\r\nhi"u8.ToArray()));

        using var raw = Raw(dir);
        Assert.Equal(3L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
        Assert.Equal(1L, Scalar(raw, "SELECT COUNT(*) FROM headers WHERE length(header) = 0;"));
        Assert.Equal(big[..^4], Encoding.ASCII.GetString((await store.ReadHeaderAsync(inbox, large))!.Value.Span));
        Assert.Equal("Subject: s\r\n\r\n", Encoding.ASCII.GetString((await store.ReadHeaderAsync(inbox, small))!.Value.Span));

        // Copies share the row; the last expunge removes it with the blob.
        long sent = (await store.GetMailboxAsync(alice.Id, "Sent"))!.Id;
        await store.CopyAsync(inbox, [small], sent);
        await store.SetCachedStructuresAsync(inbox, [(small, new MessageStructure("e", "bs", "b"))]);
        Assert.Equal(3L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
        await store.SetFlagsAsync(inbox, [small], MessageFlags.Deleted, [], FlagChange.Add, null);
        await store.ExpungeAsync(inbox);
        Assert.Equal(3L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
        Assert.Equal(1L, Scalar(raw, "SELECT COUNT(*) FROM structures;"));
        await store.SetFlagsAsync(sent, [1], MessageFlags.Deleted, [], FlagChange.Add, null);
        await store.ExpungeAsync(sent);
        Assert.Equal(2L, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
        Assert.Equal(0L, Scalar(raw, "SELECT COUNT(*) FROM structures;"));
        Assert.Equal(0L, Scalar(raw, "SELECT COUNT(*) FROM headers WHERE blob_id NOT IN (SELECT id FROM blobs);"));
    }

    [Fact]
    public async Task A_failed_transaction_leaves_counters_and_header_cache_agreeing_with_the_messages()
    {
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using var _ = store;
        long inbox = await InboxIdAsync(store, alice.Id);
        long sent = (await store.GetMailboxAsync(alice.Id, "Sent"))!.Id;
        for (int i = 0; i < 3; i++)
        {
            await AppendTextAsync(store, inbox, $"Subject: {i}\r\n\r\nbody {i}", i == 0 ? MessageFlags.Deleted : MessageFlags.None);
        }

        // Sent can take one more UID only: the copy of three inserts one row (counters move by
        // trigger) and then fails, so the whole transaction must roll back.
        using var raw = Raw(dir);
        Exec(raw, $"UPDATE mailboxes SET uid_next = 4294967294 WHERE id = {sent};");
        var before = (await store.GetMailboxAsync(alice.Id, "Sent"))!;
        Assert.Equal(StoreLimit.UidRange, (await Assert.ThrowsAsync<StoreLimitException>(() => store.MoveAsync(inbox, [1, 2, 3], sent))).Limit);
        var after = (await store.GetMailboxAsync(alice.Id, "Sent"))!;
        Assert.Equal((before.MessageCount, before.TotalSize, before.HighestModSeq), (after.MessageCount, after.TotalSize, after.HighestModSeq));
        Assert.Equal(3, (await store.GetMailboxAsync(alice.Id, "INBOX"))!.MessageCount);
        AssertCountersMatchMessages(raw);

        // An append that fails after its blob and header rows were inserted leaves neither.
        Exec(raw, $"UPDATE mailboxes SET uid_next = 4294967295 WHERE id = {sent};");
        long headers = Scalar(raw, "SELECT COUNT(*) FROM headers;");
        await Assert.ThrowsAsync<StoreLimitException>(() => AppendTextAsync(store, sent, "Subject: x\r\n\r\nx"));
        Assert.Equal(headers, Scalar(raw, "SELECT COUNT(*) FROM headers;"));
        Assert.Equal(0L, Scalar(raw, "SELECT COUNT(*) FROM headers WHERE blob_id NOT IN (SELECT id FROM blobs);"));
        Assert.Equal(0L, Scalar(raw, "SELECT COUNT(*) FROM blobs WHERE id NOT IN (SELECT blob_id FROM headers);"));
        AssertCountersMatchMessages(raw);
    }

    [Fact]
    public async Task Changed_since_uses_the_modseq_index()
    {
        string dir = temp.NewDataDirectory();
        await using var store = await SqliteMailStore.OpenAsync(dir);
        using var raw = Raw(dir);
        using var cmd = raw.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN SELECT uid FROM messages WHERE mailbox_id = 1 AND modseq > 5;";
        using var reader = cmd.ExecuteReader();
        var plan = new StringBuilder();
        while (reader.Read())
        {
            plan.Append(reader.GetString(3));
        }

        Assert.Contains("messages_modseq", plan.ToString(), StringComparison.Ordinal);
    }
}
