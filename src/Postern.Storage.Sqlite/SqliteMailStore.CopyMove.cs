using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public Task<CopyResult> CopyAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        TransferAsync(sourceMailboxId, uids, targetMailboxId, move: false, ct);

    /// <inheritdoc/>
    public Task<CopyResult> MoveAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, CancellationToken ct = default) =>
        TransferAsync(sourceMailboxId, uids, targetMailboxId, move: true, ct);

    private async Task<CopyResult> TransferAsync(long sourceMailboxId, IReadOnlyList<uint> uids, long targetMailboxId, bool move, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(uids);
        var result = await WriteAsync((connection, tx) =>
        {
            long sourceAccount = AccountOf(connection, tx, sourceMailboxId);
            long targetAccount = AccountOf(connection, tx, targetMailboxId);
            if (sourceAccount != targetAccount)
            {
                throw new ArgumentException("Messages can only be copied or moved between mailboxes of the same account.", nameof(targetMailboxId));
            }

            return TransferMessages(connection, tx, sourceMailboxId, uids, targetMailboxId, move);
        }, ct).ConfigureAwait(false);

        if (result.SourceUids.Count > 0)
        {
            Notify(move ? [targetMailboxId, sourceMailboxId] : [targetMailboxId]);
        }

        return result;
    }

    private static long AccountOf(SqliteConnection connection, SqliteTransaction tx, long mailboxId)
    {
        using var cmd = Command(connection, tx, "SELECT account_id FROM mailboxes WHERE id = $mailbox;");
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        return cmd.ExecuteScalar() as long? ?? throw MailboxGone();
    }

    /// <summary>
    /// Copies (or moves) messages inside the caller's transaction: new rows point at the same blobs
    /// (the reference count is derived from the rows, so nothing is duplicated on disk); flags,
    /// keywords and internal date are kept; target UIDs ascend in source-UID order (RFC 4315
    /// COPYUID pairs them). A move deletes the source rows and records tombstones (RFC 6851).
    /// <paramref name="uids"/> null means every message of the source.
    /// </summary>
    private static CopyResult TransferMessages(SqliteConnection connection, SqliteTransaction tx, long sourceId, IReadOnlyList<uint>? uids, long targetId, bool move)
    {
        List<(uint Uid, long BlobId, int Flags, string? Keywords, long Date, int Tz, long Size)> rows = [];
        using (var select = Command(connection, tx, $"""
            SELECT uid, blob_id, flags, keywords, internal_date, internal_tz, size FROM messages
            WHERE mailbox_id = $mailbox {(uids is null ? "" : "AND uid IN (SELECT value FROM json_each($uids))")}
            ORDER BY uid;
            """))
        {
            select.Parameters.AddWithValue("$mailbox", sourceId);
            if (uids is not null)
            {
                select.Parameters.AddWithValue("$uids", JsonArray(uids));
            }

            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(((uint)reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetInt64(4), reader.GetInt32(5), reader.GetInt64(6)));
            }
        }

        uint uidValidity;
        using (var validity = Command(connection, tx, "SELECT uid_validity FROM mailboxes WHERE id = $mailbox;"))
        {
            validity.Parameters.AddWithValue("$mailbox", targetId);
            uidValidity = (uint)(long)validity.ExecuteScalar()!;
        }

        List<uint> sourceUids = [];
        List<uint> targetUids = [];
        if (rows.Count == 0)
        {
            return new CopyResult(uidValidity, sourceUids, targetUids);
        }

        using (var insert = Command(connection, tx, """
            INSERT INTO messages (mailbox_id, uid, blob_id, flags, keywords, internal_date, internal_tz, size, modseq)
            VALUES ($mailbox, $uid, $blob, $flags, $keywords, $date, $tz, $size, $modseq);
            """))
        {
            insert.Parameters.AddWithValue("$mailbox", targetId);
            var uid = insert.Parameters.AddWithValue("$uid", 0L);
            var blob = insert.Parameters.AddWithValue("$blob", 0L);
            var flags = insert.Parameters.AddWithValue("$flags", 0);
            var keywords = insert.Parameters.AddWithValue("$keywords", DBNull.Value);
            var date = insert.Parameters.AddWithValue("$date", 0L);
            var tz = insert.Parameters.AddWithValue("$tz", 0);
            var size = insert.Parameters.AddWithValue("$size", 0L);
            var modSeq = insert.Parameters.AddWithValue("$modseq", 0L);
            foreach (var row in rows)
            {
                var (newUid, newModSeq) = AllocateUid(connection, tx, targetId);
                uid.Value = (long)newUid;
                blob.Value = row.BlobId;
                flags.Value = row.Flags;
                keywords.Value = (object?)row.Keywords ?? DBNull.Value;
                date.Value = row.Date;
                tz.Value = row.Tz;
                size.Value = row.Size;
                modSeq.Value = newModSeq;
                insert.ExecuteNonQuery();
                sourceUids.Add(row.Uid);
                targetUids.Add(newUid);
            }
        }

        if (move)
        {
            using var delete = Command(connection, tx, """
                DELETE FROM messages WHERE mailbox_id = $mailbox AND uid IN (SELECT value FROM json_each($uids));
                """);
            delete.Parameters.AddWithValue("$mailbox", sourceId);
            delete.Parameters.AddWithValue("$uids", JsonArray(sourceUids));
            delete.ExecuteNonQuery();
            RecordExpunged(connection, tx, sourceId, sourceUids);
        }

        if (rows.Any(r => r.Keywords is not null))
        {
            CheckMailboxKeywords(connection, tx, targetId);
        }

        return new CopyResult(uidValidity, sourceUids, targetUids);
    }
}
