using Microsoft.Data.Sqlite;
using Postern.Storage.Accounts;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

public sealed class SqliteMigrationTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    /// <summary>
    /// A store as the version-1 code left it: the step-1 DDL, user_version 1, one account with
    /// an INBOX holding two messages (one expunged before, so UIDNEXT is 4) and their body files.
    /// </summary>
    private static void CreateVersion1Store(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "messages", "ab"));
        File.WriteAllText(Path.Combine(dir, "messages", "ab", "ab000000000000000000000000000001.eml"), "first");
        File.WriteAllText(Path.Combine(dir, "messages", "ab", "ab000000000000000000000000000002.eml"), "second");

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode = WAL;" + Schema.Step(1) + """
            PRAGMA user_version = 1;
            INSERT INTO domains (id, name) VALUES (1, 'example.org');
            INSERT INTO accounts (id, domain_id, address, password_hash, created_at) VALUES (1, 1, 'alice@example.org', 'h', 0);
            INSERT INTO mailboxes (id, account_id, name, special_use, uid_validity, uid_next, subscribed) VALUES
                (1, 1, 'INBOX', NULL, 1700000000, 4, 1),
                (2, 1, 'Sent', '\Sent', 1700000001, 1, 0);
            INSERT INTO counters (name, value) VALUES ('uid_validity', 1700000001);
            INSERT INTO blobs (id, path, size) VALUES (1, 'ab/ab000000000000000000000000000001.eml', 5), (2, 'ab/ab000000000000000000000000000002.eml', 6);
            INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, internal_tz, size) VALUES
                (1, 1, 1, 1, 1700000000000, 60, 5),
                (1, 3, 2, 0, 1700000001000, 0, 6);
            """;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_version_1_store_is_upgraded_in_place_and_keeps_its_data()
    {
        string dir = temp.NewDataDirectory();
        CreateVersion1Store(dir);

        await using (var store = await SqliteMailStore.OpenAsync(dir))
        {
            var alice = (await store.FindAccountAsync("alice@example.org"))!;
            var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            Assert.Equal((1700000000u, 4u, 2, 1, 11L), (inbox.UidValidity, inbox.UidNext, inbox.MessageCount, inbox.UnseenCount, inbox.TotalSize));
            Assert.Equal(1ul, inbox.HighestModSeq);
            Assert.Empty(inbox.Keywords);

            var messages = await store.ListMessagesAsync(inbox.Id);
            Assert.Equal([(1u, MessageFlags.Seen, 1ul), (3u, MessageFlags.None, 1ul)], messages.Select(m => (m.Uid, m.Flags, m.ModSeq)));
            Assert.All(messages, m => Assert.Empty(m.Keywords));
            Assert.Equal(TimeSpan.FromHours(1), messages[0].InternalDate.Offset);
            Assert.Equal("second"u8.ToArray(), await ReadBodyAsync(store, inbox.Id, 3));
            Assert.Empty(await store.ExpungedSinceAsync(inbox.Id, 0));

            // Step 5: mail from before the upgrade is not recent; new mail is.
            Assert.Equal(0, await store.CountRecentAsync(inbox.Id));

            // The new features work on the upgraded data.
            Assert.Equal(4u, await store.AppendAsync(inbox.Id, new MemoryStream("third"u8.ToArray()), MessageFlags.None, ["$Junk"], DateTimeOffset.UtcNow));
            Assert.True((await store.ListMessagesAsync(inbox.Id))[2].ModSeq > 1);
            Assert.Equal(1, await store.CountRecentAsync(inbox.Id));
            var update = await store.SetFlagsAsync(inbox.Id, [1], MessageFlags.Flagged, ["Old"], FlagChange.Add, unchangedSince: 1);
            Assert.Equal([1u], update.Changed.Select(m => m.Uid));
            var copy = await store.CopyAsync(inbox.Id, [3], (await store.GetMailboxAsync(alice.Id, "Sent"))!.Id);
            Assert.Equal(1700000001u, copy.TargetUidValidity);
            var created = await store.CreateMailboxAsync(alice.Id, "New");
            Assert.True(created.UidValidity > 1700000001u);

            // Step 4: the subscription flags became names (Sent was not subscribed).
            Assert.Equal(["INBOX"], await store.ListSubscriptionsAsync(alice.Id));
            Assert.True(inbox.Subscribed);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString());
        connection.Open();
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version;";
        Assert.Equal((long)Schema.CurrentVersion, version.ExecuteScalar());
    }

    [Fact]
    public async Task Reopening_an_upgraded_store_keeps_modseq_keywords_and_tombstones()
    {
        string dir = temp.NewDataDirectory();
        ulong highest;
        long inbox;
        long accountId;
        var (store, alice) = await OpenWithAliceAsync(dir);
        await using (store)
        {
            accountId = alice.Id;
            inbox = await InboxIdAsync(store, alice.Id);
            await store.AppendAsync(inbox, new MemoryStream("a"u8.ToArray()), MessageFlags.Deleted, ["Keep"], DateTimeOffset.UtcNow);
            await AppendTextAsync(store, inbox, "b");
            await store.ExpungeAsync(inbox);
            highest = (await store.GetMailboxAsync(alice.Id, "INBOX"))!.HighestModSeq;
            await store.SetFlagsAsync(inbox, [2], MessageFlags.None, ["Later"], FlagChange.Add, null);
        }

        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        var info = (await reopened.GetMailboxAsync(accountId, "INBOX"))!;
        Assert.True(info.HighestModSeq > highest);
        Assert.Equal(["Later"], info.Keywords);
        Assert.Equal([1u], await reopened.ExpungedSinceAsync(inbox, 0));
        Assert.Equal(info.HighestModSeq, (await reopened.ListMessagesAsync(inbox)).Single().ModSeq);
    }

    /// <summary>
    /// A store from before SCRAM keys (schema version 3): its accounts keep logging in with their
    /// password, have no SCRAM keys after the upgrade, and get them at their next password login.
    /// </summary>
    [Fact]
    public async Task A_version_3_store_is_upgraded_and_its_accounts_get_SCRAM_keys_at_their_next_password_login()
    {
        string dir = temp.NewDataDirectory();
        Directory.CreateDirectory(dir);
        string hash = PasswordHasher.Hash("secret", iterations: 1000);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "store.db"), Pooling = false }.ToString()))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = WAL;" + Schema.Step(1) + Schema.Step(2) + Schema.Step(3) + """
                PRAGMA user_version = 3;
                INSERT INTO domains (id, name) VALUES (1, 'example.org');
                INSERT INTO accounts (id, domain_id, address, password_hash, created_at) VALUES (1, 1, 'alice@example.org', $hash, 0);
                INSERT INTO mailboxes (id, account_id, name, special_use, uid_validity) VALUES (1, 1, 'INBOX', NULL, 1700000000);
                """;
            cmd.Parameters.AddWithValue("$hash", hash);
            cmd.ExecuteNonQuery();
        }

        await using (var store = await SqliteMailStore.OpenAsync(dir))
        {
            var alice = (await store.FindAccountAsync("alice@example.org"))!;
            Assert.Equal(new Account(1, "alice@example.org", hash, null), alice);
            Assert.Equal([alice], await store.ListAccountsAsync());

            var auth = new Authenticator(store, failureDelay: TimeSpan.Zero);
            Assert.Null(await auth.AuthenticateAsync("alice@example.org", "wrong", null, default));
            Assert.Null((await store.FindAccountAsync("alice@example.org"))!.Scram);
            Assert.NotNull((await auth.AuthenticateAsync("alice@example.org", "secret", null, default))?.Scram);
        }

        // The keys are durable and are those of the password, at the count clients accept.
        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        var keys = (await reopened.FindAccountAsync("alice@example.org"))!.Scram!;
        Assert.Equal(ScramKeys.DefaultIterations, keys.Iterations);
        Assert.Equal(ScramKeys.Derive("secret", keys.Salt, keys.Iterations), keys);
        Assert.NotEqual(ScramKeys.Derive("wrong", keys.Salt, keys.Iterations), keys);
    }
}
