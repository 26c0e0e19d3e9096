using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public async Task<uint> ClaimRecentAsync(long mailboxId, uint upTo, CancellationToken ct = default)
    {
        // Most selects find nothing new to claim: a read answers them without taking the writer lock.
        uint first = await ReadAsync(connection => ReadRecentUid(connection, null, mailboxId), ct).ConfigureAwait(false);
        if (first == 0 || upTo <= first)
        {
            return first;
        }

        // Read and raise in one write transaction, so two sessions never claim the same UIDs. Not
        // fsynced: losing a claim in a power cut shows a message as recent twice, which harms nothing.
        return await WriteAsync((connection, tx) =>
        {
            uint before = ReadRecentUid(connection, tx, mailboxId);
            if (before != 0 && upTo > before)
            {
                using var raise = Command(connection, tx, "UPDATE mailboxes SET recent_uid = $upTo WHERE id = $mailbox;");
                raise.Parameters.AddWithValue("$upTo", (long)upTo);
                raise.Parameters.AddWithValue("$mailbox", mailboxId);
                raise.ExecuteNonQuery();
            }

            return before;
        }, ct, durable: false).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<int> CountRecentAsync(long mailboxId, CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            // A range scan of the primary key (mailbox_id, uid) over the unclaimed UIDs only.
            using var cmd = Command(connection, null, """
                SELECT COUNT(*) FROM messages g JOIN mailboxes m ON m.id = g.mailbox_id
                WHERE g.mailbox_id = $mailbox AND g.uid >= m.recent_uid;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            return checked((int)(long)cmd.ExecuteScalar()!);
        }, ct);

    /// <summary>The mailbox's first recent UID, or 0 when it is gone.</summary>
    private static uint ReadRecentUid(SqliteConnection connection, SqliteTransaction? tx, long mailboxId)
    {
        using var cmd = Command(connection, tx, "SELECT recent_uid FROM mailboxes WHERE id = $mailbox;");
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        return cmd.ExecuteScalar() is long value ? (uint)value : 0;
    }
}
