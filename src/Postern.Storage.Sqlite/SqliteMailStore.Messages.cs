using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<MessageInfo>>(connection =>
        {
            // One range scan of the (mailbox_id, uid) primary key: already in UID order.
            using var cmd = Command(connection, null, """
                SELECT uid, flags, internal_date, internal_tz, size FROM messages
                WHERE mailbox_id = $mailbox ORDER BY uid;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            using var reader = cmd.ExecuteReader();
            List<MessageInfo> messages = [];
            while (reader.Read())
            {
                messages.Add(ReadMessage(reader));
            }

            return messages;
        }, ct);

    /// <inheritdoc/>
    public async Task<Stream?> OpenMessageAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        string? relative = await ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, """
                SELECT b.path FROM messages g JOIN blobs b ON b.id = g.blob_id
                WHERE g.mailbox_id = $mailbox AND g.uid = $uid;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            cmd.Parameters.AddWithValue("$uid", (long)uid);
            return cmd.ExecuteScalar() as string;
        }, ct).ConfigureAwait(false);

        if (relative is null)
        {
            return null;
        }

        try
        {
            // FileShare.Delete: an expunge in another session may remove the file while this
            // reader still streams it (on Unix the open handle keeps the data readable).
            return new FileStream(_bodies.FullPath(relative), FileMode.Open, FileAccess.Read,
                FileShare.Read | FileShare.Delete, bufferSize: 16384, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Expunged between the lookup and the open.
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Body first, durably, outside the writer lock; then the rows that make it visible.
        var body = await _bodies.WriteAsync(content, ct).ConfigureAwait(false);
        try
        {
            return await WriteAsync((connection, tx) =>
            {
                long blobId = InsertBlob(connection, tx, body);
                uint uid = AllocateUid(connection, tx, mailboxId);
                InsertMessage(connection, tx, mailboxId, uid, blobId, (int)flags & AllFlags, internalDate, body.Size);
                return uid;
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            // Not committed: the file must not outlive the failure.
            _bodies.Delete([body.RelativePath]);
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (uids.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<MessageInfo>>([]);
        }

        string newFlags = change switch
        {
            FlagChange.Replace => "$flags",
            FlagChange.Add => "flags | $flags",
            FlagChange.Remove => "flags & ~$flags",
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown flag change."),
        };
        return WriteAsync<IReadOnlyList<MessageInfo>>((connection, tx) =>
        {
            using var cmd = Command(connection, tx, $"""
                UPDATE messages SET flags = {newFlags}
                WHERE mailbox_id = $mailbox AND uid IN (SELECT value FROM json_each($uids))
                RETURNING uid, flags, internal_date, internal_tz, size;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            cmd.Parameters.AddWithValue("$uids", JsonArray(uids));
            cmd.Parameters.AddWithValue("$flags", (int)flags & AllFlags);
            using var reader = cmd.ExecuteReader();
            List<MessageInfo> changed = [];
            while (reader.Read())
            {
                changed.Add(ReadMessage(reader));
            }

            // RETURNING has no defined order.
            changed.Sort((a, b) => a.Uid.CompareTo(b.Uid));
            return changed;
        }, ct);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<uint>> ExpungeAsync(long mailboxId, IReadOnlyList<uint>? uids = null, CancellationToken ct = default)
    {
        if (uids is { Count: 0 })
        {
            return [];
        }

        var (expunged, files) = await WriteAsync((connection, tx) =>
        {
            using var cmd = Command(connection, tx, $"""
                DELETE FROM messages
                WHERE mailbox_id = $mailbox AND (flags & {(int)MessageFlags.Deleted}) <> 0
                {(uids is null ? "" : "AND uid IN (SELECT value FROM json_each($uids))")}
                RETURNING uid, blob_id;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            if (uids is not null)
            {
                cmd.Parameters.AddWithValue("$uids", JsonArray(uids));
            }

            List<uint> gone = [];
            HashSet<long> blobIds = [];
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    gone.Add((uint)reader.GetInt64(0));
                    blobIds.Add(reader.GetInt64(1));
                }
            }

            gone.Sort();
            return (gone, DeleteUnreferencedBlobs(connection, tx, blobIds));
        }, ct).ConfigureAwait(false);

        _bodies.Delete(files);
        return expunged;
    }

    private static long InsertBlob(SqliteConnection connection, SqliteTransaction tx, StagedBody body)
    {
        using var cmd = Command(connection, tx, "INSERT INTO blobs (path, size) VALUES ($path, $size) RETURNING id;");
        cmd.Parameters.AddWithValue("$path", body.RelativePath);
        cmd.Parameters.AddWithValue("$size", body.Size);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// Takes the mailbox's next UID inside the write transaction. UIDNEXT only ever grows, so a
    /// UID is never handed out twice, expunged or not (RFC 9051 2.3.1.1).
    /// </summary>
    private static uint AllocateUid(SqliteConnection connection, SqliteTransaction tx, long mailboxId)
    {
        using var cmd = Command(connection, tx, $"""
            UPDATE mailboxes SET uid_next = uid_next + 1
            WHERE id = $mailbox AND uid_next < {MaxUidNext}
            RETURNING uid_next - 1;
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        if (cmd.ExecuteScalar() is long uid)
        {
            return (uint)uid;
        }

        using var exists = Command(connection, tx, "SELECT 1 FROM mailboxes WHERE id = $mailbox;");
        exists.Parameters.AddWithValue("$mailbox", mailboxId);
        throw new InvalidOperationException(exists.ExecuteScalar() is null
            ? $"Mailbox {mailboxId} does not exist."
            : $"Mailbox {mailboxId} has used up its 32-bit UID range; it must be recreated (new UIDVALIDITY).");
    }

    private static void InsertMessage(SqliteConnection connection, SqliteTransaction tx, long mailboxId, uint uid, long blobId, int flags, DateTimeOffset internalDate, long size)
    {
        using var cmd = Command(connection, tx, """
            INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, internal_tz, size)
            VALUES ($mailbox, $uid, $blob, $flags, $date, $tz, $size);
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        cmd.Parameters.AddWithValue("$uid", (long)uid);
        cmd.Parameters.AddWithValue("$blob", blobId);
        cmd.Parameters.AddWithValue("$flags", flags);
        cmd.Parameters.AddWithValue("$date", internalDate.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$tz", (int)internalDate.Offset.TotalMinutes);
        cmd.Parameters.AddWithValue("$size", size);
        cmd.ExecuteNonQuery();
    }

    private static MessageInfo ReadMessage(SqliteDataReader r) => new(
        Uid: (uint)r.GetInt64(0),
        Flags: (MessageFlags)r.GetInt32(1),
        InternalDate: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)).ToOffset(TimeSpan.FromMinutes(r.GetInt32(3))),
        Size: r.GetInt64(4));
}
