using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

public sealed class SqliteDurabilityTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    [Fact]
    public async Task Reopened_store_sees_everything_with_the_same_uidvalidity()
    {
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        MailboxInfo inboxBefore;
        IReadOnlyList<MailboxInfo> boxesBefore;
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "first");
            await AppendTextAsync(store, inbox, "second", MessageFlags.Deleted);
            await store.ExpungeAsync(inbox);
            await store.SetFlagsAsync(inbox, [1], MessageFlags.Seen | MessageFlags.Flagged, FlagChange.Replace);
            await store.AcceptAsync(new InboundMessage("a@b.example", [alice.Id], ["z@remote.example"]), new MemoryStream("accepted"u8.ToArray()));
            inboxBefore = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            boxesBefore = await store.ListMailboxesAsync(alice.Id);
        }

        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        Assert.Equal(["example.org"], await reopened.ListDomainsAsync());
        Assert.Equal(alice, await reopened.FindAccountAsync("alice@example.org"));
        Assert.Equal(boxesBefore, await reopened.ListMailboxesAsync(alice.Id));

        var inbox2 = (await reopened.GetMailboxAsync(alice.Id, "INBOX"))!;
        Assert.Equal(inboxBefore, inbox2);
        Assert.Equal(4u, inbox2.UidNext);
        var messages = await reopened.ListMessagesAsync(inbox2.Id);
        Assert.Equal([(1u, MessageFlags.Seen | MessageFlags.Flagged), (3u, MessageFlags.None)], messages.Select(m => (m.Uid, m.Flags)));
        Assert.Equal("first"u8.ToArray(), await ReadBodyAsync(reopened, inbox2.Id, 1));
        Assert.Equal("accepted"u8.ToArray(), await ReadBodyAsync(reopened, inbox2.Id, 3));
        Assert.Equal(1, await reopened.CountQueuedAsync());

        // And UIDs continue where they stopped.
        Assert.Equal(4u, await AppendTextAsync(reopened, inbox2.Id, "after restart"));
    }

    [Fact]
    public async Task Open_removes_leftover_tmp_files_and_unreferenced_bodies()
    {
        string dir = temp.NewDataDirectory();
        var (store, alice) = await OpenWithAliceAsync(dir);
        string kept;
        await using (store)
        {
            await AppendTextAsync(store, await InboxIdAsync(store, alice.Id), "kept");
            kept = Assert.Single(BodyFiles(dir));
        }

        // What a crash can leave: a half-written tmp file, and a renamed body whose row never committed.
        string tmp = Path.Combine(dir, "messages", "tmp", "0123abcd.tmp");
        await File.WriteAllTextAsync(tmp, "half a message");
        string orphan = Path.Combine(dir, "messages", "ff", "ffeeddccbbaa99887766554433221100.eml");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        await File.WriteAllTextAsync(orphan, "never committed");
        string unrelated = Path.Combine(dir, "messages", "README");
        await File.WriteAllTextAsync(unrelated, "not ours to delete");

        await using var reopened = await SqliteMailStore.OpenAsync(dir);
        Assert.False(File.Exists(tmp));
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(unrelated));
        Assert.Equal([kept], BodyFiles(dir));
        Assert.Equal("kept"u8.ToArray(), await ReadBodyAsync(reopened, await InboxIdAsync(reopened, alice.Id), 1));
    }

    [Fact]
    public async Task Layout_and_database_settings_are_as_documented()
    {
        string dir = temp.NewDataDirectory();
        await using (await SqliteMailStore.OpenAsync(dir))
        {
            Assert.True(File.Exists(Path.Combine(dir, "store.db")));
            Assert.True(Directory.Exists(Path.Combine(dir, "messages", "tmp")));
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "store.db")};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", cmd.ExecuteScalar());
        cmd.CommandText = "PRAGMA user_version;";
        Assert.Equal((long)Postern.Storage.Sqlite.Schema.CurrentVersion, cmd.ExecuteScalar());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "store.db")));
        }
    }

    [Fact]
    public async Task A_data_folder_is_opened_by_one_store_at_a_time()
    {
        string dir = temp.NewDataDirectory();
        var first = await SqliteMailStore.OpenAsync(dir);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteMailStore.OpenAsync(dir));
        Assert.Contains("in use", e.Message);

        await first.DisposeAsync();
        await using var second = await SqliteMailStore.OpenAsync(dir);
        Assert.Empty(await second.ListDomainsAsync());
    }

    [Fact]
    public async Task Administration_works_beside_the_serving_store_and_both_see_each_others_writes()
    {
        string dir = temp.NewDataDirectory();
        await using var server = await SqliteMailStore.OpenAsync(dir);
        await using (var admin = await SqliteMailStore.OpenForAdministrationAsync(dir))
        {
            Assert.True(await admin.AddDomainAsync("example.org"));
            await admin.AddAccountAsync("ann@example.org", "hash");
        }

        Assert.NotNull(await server.FindAccountAsync("ann@example.org"));
        Assert.True(await server.AddDomainAsync("example.net"));
        await using var admin2 = await SqliteMailStore.OpenForAdministrationAsync(dir);
        Assert.Contains("example.net", await admin2.ListDomainsAsync());
    }

    [Fact]
    public void Directory_sync_works_on_linux()
    {
        string dir = temp.NewDataDirectory();
        Directory.CreateDirectory(dir);
        Assert.Equal(OperatingSystem.IsLinux(), DirectorySync.Flush(dir));
        if (OperatingSystem.IsLinux())
        {
            Assert.Throws<IOException>(() => DirectorySync.Flush(Path.Combine(dir, "missing")));
        }
    }
}
