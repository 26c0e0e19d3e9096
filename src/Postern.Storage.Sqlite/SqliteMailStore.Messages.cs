using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    // The columns ReadMessage expects, in order.
    private const string MessageColumns = "uid, flags, internal_date, internal_tz, size, modseq, keywords";

    /// <inheritdoc/>
    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<MessageInfo>>(connection =>
        {
            // One range scan of the (mailbox_id, uid) primary key, keywords included: already in UID order.
            using var cmd = Command(connection, null, $"""
                SELECT {MessageColumns} FROM messages
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
    public Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, DateTimeOffset internalDate, CancellationToken ct = default) =>
        AppendAsync(mailboxId, content, flags, [], internalDate, ct);

    /// <inheritdoc/>
    public async Task<uint> AppendAsync(long mailboxId, Stream content, MessageFlags flags, IReadOnlyList<string> keywords, DateTimeOffset internalDate, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var checkedKeywords = MessageKeywords.Validate(keywords, nameof(keywords));
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Body first, durably, outside the writer lock; then the rows that make it visible.
        var body = await _bodies.WriteAsync(content, ct).ConfigureAwait(false);
        uint uid;
        try
        {
            byte[] header = await HeaderOfStagedBodyAsync(body, ct).ConfigureAwait(false);
            uid = await WriteAsync((connection, tx) =>
            {
                long blobId = InsertBlob(connection, tx, body);
                InsertHeader(connection, tx, blobId, header);
                var (newUid, modSeq) = AllocateUid(connection, tx, mailboxId);
                InsertMessage(connection, tx, mailboxId, newUid, blobId, (int)flags & AllFlags, checkedKeywords, internalDate, body.Size, modSeq);
                if (checkedKeywords.Count > 0)
                {
                    CheckMailboxKeywords(connection, tx, mailboxId);
                }

                return newUid;
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            // Not committed: the file must not outlive the failure.
            _bodies.Delete([body.RelativePath]);
            throw;
        }

        Notify(mailboxId);
        return uid;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<MessageInfo>> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, FlagChange change, CancellationToken ct = default)
    {
        // The messages as they now are, changed or not (this overload's contract).
        var (all, _, _) = await ChangeFlagsAsync(mailboxId, uids, flags, [], change, null, ct).ConfigureAwait(false);
        return all;
    }

    /// <inheritdoc/>
    public async Task<FlagUpdate> SetFlagsAsync(long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, IReadOnlyList<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct = default)
    {
        var checkedKeywords = MessageKeywords.Validate(keywords, nameof(keywords));
        var (_, changed, failed) = await ChangeFlagsAsync(mailboxId, uids, flags, checkedKeywords, change, unchangedSince, ct).ConfigureAwait(false);
        return new FlagUpdate(changed, failed);
    }

    /// <summary>
    /// Applies a flag and keyword change message by message. Replace sets both sets to exactly
    /// the given ones; Add and Remove apply to both. Only a message whose flags or keywords really
    /// change gets a new MODSEQ (RFC 7162 3.1.3), each its own, in UID order.
    /// </summary>
    private async Task<(List<MessageInfo> All, List<MessageInfo> Changed, List<uint> Failed)> ChangeFlagsAsync(
        long mailboxId, IReadOnlyList<uint> uids, MessageFlags flags, List<string> keywords, FlagChange change, ulong? unchangedSince, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(uids);
        if (change is not (FlagChange.Replace or FlagChange.Add or FlagChange.Remove))
        {
            throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown flag change.");
        }

        if (uids.Count == 0)
        {
            return ([], [], []);
        }

        int given = (int)flags & AllFlags;
        var result = await WriteAsync((connection, tx) =>
        {
            List<MessageInfo> current = [];
            using (var select = Command(connection, tx, $"""
                SELECT {MessageColumns} FROM messages
                WHERE mailbox_id = $mailbox AND uid IN (SELECT value FROM json_each($uids))
                ORDER BY uid;
                """))
            {
                select.Parameters.AddWithValue("$mailbox", mailboxId);
                select.Parameters.AddWithValue("$uids", JsonArray(uids));
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    current.Add(ReadMessage(reader));
                }
            }

            List<MessageInfo> all = [];
            List<MessageInfo> pending = [];
            List<uint> failed = [];
            foreach (var m in current)
            {
                if (unchangedSince is ulong limit && m.ModSeq > limit)
                {
                    failed.Add(m.Uid);
                    continue;
                }

                int old = (int)m.Flags;
                int next = change switch
                {
                    FlagChange.Replace => given,
                    FlagChange.Add => old | given,
                    _ => old & ~given,
                };
                var nextKeywords = MessageKeywords.Apply(m.Keywords, keywords, change);
                if (next == old && nextKeywords is null)
                {
                    all.Add(m);
                    continue;
                }

                pending.Add(m with { Flags = (MessageFlags)next, Keywords = nextKeywords is null ? m.Keywords : nextKeywords.Count == 0 ? Keywords.None : nextKeywords });
            }

            List<MessageInfo> changed = [];
            if (pending.Count > 0)
            {
                long modSeq = NextModSeqs(connection, tx, mailboxId, pending.Count);
                using var update = Command(connection, tx, """
                    UPDATE messages SET flags = $flags, keywords = $keywords, modseq = $modseq
                    WHERE mailbox_id = $mailbox AND uid = $uid;
                    """);
                update.Parameters.AddWithValue("$mailbox", mailboxId);
                var uidParam = update.Parameters.AddWithValue("$uid", 0L);
                var flagsParam = update.Parameters.AddWithValue("$flags", 0);
                var keywordsParam = update.Parameters.AddWithValue("$keywords", DBNull.Value);
                var modSeqParam = update.Parameters.AddWithValue("$modseq", 0L);
                foreach (var m in pending)
                {
                    uidParam.Value = (long)m.Uid;
                    flagsParam.Value = (int)m.Flags;
                    keywordsParam.Value = Keywords.Format(m.Keywords);
                    modSeqParam.Value = modSeq;
                    update.ExecuteNonQuery();
                    changed.Add(m with { ModSeq = (ulong)modSeq });
                    modSeq++;
                }

                if (change != FlagChange.Remove && keywords.Count > 0)
                {
                    CheckMailboxKeywords(connection, tx, mailboxId);
                }
            }

            all.AddRange(changed);
            all.Sort((a, b) => a.Uid.CompareTo(b.Uid));
            return (all, changed, failed);
        }, ct).ConfigureAwait(false);

        if (result.changed.Count > 0)
        {
            Notify(mailboxId);
        }

        return result;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<uint>> ExpungedSinceAsync(long mailboxId, ulong modSeq, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<uint>>(connection =>
        {
            using var cmd = Command(connection, null, """
                SELECT uid FROM expunged WHERE mailbox_id = $mailbox AND modseq > $modseq ORDER BY uid;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);

            // MODSEQ values are stored as SQLite integers (63 bits); anything above matches nothing.
            cmd.Parameters.AddWithValue("$modseq", modSeq > long.MaxValue ? long.MaxValue : (long)modSeq);
            using var reader = cmd.ExecuteReader();
            List<uint> uids = [];
            while (reader.Read())
            {
                uids.Add((uint)reader.GetInt64(0));
            }

            return uids;
        }, ct);

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
            RecordExpunged(connection, tx, mailboxId, gone);
            return (gone, DeleteUnreferencedBlobs(connection, tx, blobIds));
        }, ct).ConfigureAwait(false);

        _bodies.Delete(files);
        if (expunged.Count > 0)
        {
            Notify(mailboxId);
        }

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
    /// Takes the mailbox's next UID and next MODSEQ inside the write transaction. UIDNEXT only
    /// ever grows, so a UID is never handed out twice, expunged or not (RFC 9051 2.3.1.1); a new
    /// message's MODSEQ is above everything before it (RFC 7162 3.1.1).
    /// </summary>
    private static (uint Uid, long ModSeq) AllocateUid(SqliteConnection connection, SqliteTransaction tx, long mailboxId)
    {
        using (var cmd = Command(connection, tx, $"""
            UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
            WHERE id = $mailbox AND uid_next < {StoreLimits.MaxUidNext}
            RETURNING uid_next - 1, highest_modseq;
            """))
        {
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            using var reader = cmd.ExecuteReader();
            if (reader.Read())
            {
                return ((uint)reader.GetInt64(0), reader.GetInt64(1));
            }
        }

        using var exists = Command(connection, tx, "SELECT 1 FROM mailboxes WHERE id = $mailbox;");
        exists.Parameters.AddWithValue("$mailbox", mailboxId);
        throw exists.ExecuteScalar() is null ? MailboxGone() : StoreLimits.UidsExhausted();
    }

    /// <summary>The contract's answer to a write that would add messages to a mailbox that does not exist (any more).</summary>
    private static MailboxException MailboxGone() => new(MailboxError.NotFound, "The mailbox does not exist (it may have been deleted).");

    /// <summary>
    /// Refuses (rolls back) a change after which the mailbox would use more than
    /// <see cref="StoreLimits.MaxKeywordsPerMailbox"/> keywords. Counted inside the write transaction
    /// after the change, so the count is exact; called only when a change may add a keyword, and
    /// served by the partial index messages_keywords.
    /// </summary>
    private static void CheckMailboxKeywords(SqliteConnection connection, SqliteTransaction tx, long mailboxId) =>
        StoreLimits.CheckKeywordsPerMailbox(ReadKeywords(connection, tx, mailboxId).Count);

    /// <summary>Reserves <paramref name="count"/> consecutive MODSEQ values of a mailbox; returns the first.</summary>
    private static long NextModSeqs(SqliteConnection connection, SqliteTransaction tx, long mailboxId, int count)
    {
        using var cmd = Command(connection, tx, """
            UPDATE mailboxes SET highest_modseq = highest_modseq + $count
            WHERE id = $mailbox RETURNING highest_modseq - $count + 1;
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        cmd.Parameters.AddWithValue("$count", count);
        return cmd.ExecuteScalar() as long? ?? throw new InvalidOperationException($"Mailbox {mailboxId} does not exist.");
    }

    /// <summary>Tombstones for expunged UIDs (ascending), each with its own new MODSEQ, for RFC 7162 VANISHED (EARLIER).</summary>
    private static void RecordExpunged(SqliteConnection connection, SqliteTransaction tx, long mailboxId, List<uint> uids)
    {
        if (uids.Count == 0)
        {
            return;
        }

        long modSeq = NextModSeqs(connection, tx, mailboxId, uids.Count);
        using var cmd = Command(connection, tx, """
            INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES ($mailbox, $uid, $modseq);
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        var uidParam = cmd.Parameters.AddWithValue("$uid", 0L);
        var modSeqParam = cmd.Parameters.AddWithValue("$modseq", 0L);
        foreach (uint uid in uids)
        {
            uidParam.Value = (long)uid;
            modSeqParam.Value = modSeq++;
            cmd.ExecuteNonQuery();
        }
    }

    private static void InsertMessage(SqliteConnection connection, SqliteTransaction tx, long mailboxId, uint uid, long blobId, int flags,
        IReadOnlyList<string> keywords, DateTimeOffset internalDate, long size, long modSeq)
    {
        using var cmd = Command(connection, tx, """
            INSERT INTO messages (mailbox_id, uid, blob_id, flags, keywords, internal_date, internal_tz, size, modseq)
            VALUES ($mailbox, $uid, $blob, $flags, $keywords, $date, $tz, $size, $modseq);
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        cmd.Parameters.AddWithValue("$uid", (long)uid);
        cmd.Parameters.AddWithValue("$blob", blobId);
        cmd.Parameters.AddWithValue("$flags", flags);
        cmd.Parameters.AddWithValue("$keywords", Keywords.Format(keywords));
        cmd.Parameters.AddWithValue("$date", internalDate.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$tz", (int)internalDate.Offset.TotalMinutes);
        cmd.Parameters.AddWithValue("$size", size);
        cmd.Parameters.AddWithValue("$modseq", modSeq);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Reads a row selected with <see cref="MessageColumns"/>.</summary>
    private static MessageInfo ReadMessage(SqliteDataReader r) => new(
        Uid: (uint)r.GetInt64(0),
        Flags: (MessageFlags)r.GetInt32(1),
        InternalDate: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)).ToOffset(TimeSpan.FromMinutes(r.GetInt32(3))),
        Size: r.GetInt64(4))
    {
        ModSeq = (ulong)r.GetInt64(5),
        Keywords = Keywords.Parse(r.IsDBNull(6) ? null : r.GetString(6)),
    };
}
