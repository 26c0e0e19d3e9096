using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <summary>UIDs per query of the batched reads: few queries, and a JSON parameter of a few KiB.</summary>
    private const int BatchSize = 256;

    /// <inheritdoc/>
    public Task<ulong> GetHighestModSeqAsync(long mailboxId, CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, "SELECT highest_modseq FROM mailboxes WHERE id = $mailbox;");
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            return cmd.ExecuteScalar() is long value ? (ulong)value : 0UL;
        }, ct);

    /// <inheritdoc/>
    public Task<IReadOnlyList<MessageInfo>> ListMessagesAsync(long mailboxId, ulong changedSince, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<MessageInfo>>(connection =>
        {
            // A range of the messages_modseq index: only the changed rows are visited. Sorted here
            // rather than by ORDER BY uid, which could tempt the planner into the primary key scan.
            using var cmd = Command(connection, null, $"""
                SELECT {MessageColumns} FROM messages INDEXED BY messages_modseq
                WHERE mailbox_id = $mailbox AND modseq > $modseq;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            cmd.Parameters.AddWithValue("$modseq", changedSince > long.MaxValue ? long.MaxValue : (long)changedSince);
            using var reader = cmd.ExecuteReader();
            List<MessageInfo> messages = [];
            while (reader.Read())
            {
                messages.Add(ReadMessage(reader));
            }

            messages.Sort((a, b) => a.Uid.CompareTo(b.Uid));
            return messages;
        }, ct);

    /// <inheritdoc/>
    public async Task<ReadOnlyMemory<byte>?> ReadHeaderAsync(long mailboxId, uint uid, CancellationToken ct = default)
    {
        await foreach (var (_, header) in ReadHeadersAsync(mailboxId, [uid], ct).ConfigureAwait(false))
        {
            return header;
        }

        return null;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<(uint Uid, ReadOnlyMemory<byte> Header)> ReadHeadersAsync(long mailboxId, IReadOnlyList<uint> uids,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        for (int start = 0; start < uids.Count; start += BatchSize)
        {
            var batch = uids.Skip(start).Take(BatchSize).ToList();
            var rows = await ReadAsync(connection => ReadHeaderRows(connection, mailboxId, batch), ct).ConfigureAwait(false);

            // Messages stored before schema step 3 have no cached header yet: read their files once
            // and remember the headers for next time, in one transaction per batch.
            List<(long BlobId, byte[] Header)> fill = [];
            foreach (uint uid in batch)
            {
                if (!rows.TryGetValue(uid, out var row))
                {
                    continue;
                }

                if (row.Header is { Length: > 0 } cached)
                {
                    yield return (uid, cached);
                    continue;
                }

                byte[]? read = await ReadHeaderFromFileAsync(row.Path, ct).ConfigureAwait(false);
                if (read is null)
                {
                    continue; // expunged meanwhile
                }

                if (row.Header is null)
                {
                    fill.Add((row.BlobId, CacheableHeader(read)));
                }

                yield return (uid, read);
            }

            if (fill.Count > 0)
            {
                await FillHeadersAsync(fill, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>uid → (blob, path, cached header or null when none was stored yet), for the UIDs that exist.</summary>
    private static Dictionary<uint, (long BlobId, string Path, byte[]? Header)> ReadHeaderRows(SqliteConnection connection, long mailboxId, List<uint> uids)
    {
        using var cmd = Command(connection, null, """
            SELECT g.uid, g.blob_id, b.path, h.header
            FROM messages g JOIN blobs b ON b.id = g.blob_id LEFT JOIN headers h ON h.blob_id = g.blob_id
            WHERE g.mailbox_id = $mailbox AND g.uid IN (SELECT value FROM json_each($uids));
            """);
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        cmd.Parameters.AddWithValue("$uids", JsonArray(uids));
        using var reader = cmd.ExecuteReader();
        var rows = new Dictionary<uint, (long, string, byte[]?)>();
        while (reader.Read())
        {
            rows[(uint)reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3));
        }

        return rows;
    }

    private async Task<byte[]?> ReadHeaderFromFileAsync(string relativePath, CancellationToken ct, int max = HeaderBlock.MaxRead)
    {
        try
        {
            var stream = new FileStream(_bodies.FullPath(relativePath), FileMode.Open, FileAccess.Read,
                FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                return await HeaderBlock.ReadAsync(stream, max, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>What the header cache keeps for a header block: itself, or empty ("read the file") when it is too long.</summary>
    private static byte[] CacheableHeader(byte[] header) => header.Length <= HeaderBlock.MaxCached ? header : [];

    /// <summary>The cache entry for a body just written (before its rows are committed).</summary>
    private async Task<byte[]> HeaderOfStagedBodyAsync(StagedBody body, CancellationToken ct)
    {
        // Just written, so read from the page cache; one more byte than is cached tells "too long".
        var read = await ReadHeaderFromFileAsync(body.RelativePath, ct, HeaderBlock.MaxCached + 1).ConfigureAwait(false) ?? [];
        return read.Length > HeaderBlock.MaxCached ? [] : read;
    }

    private static void InsertHeader(SqliteConnection connection, SqliteTransaction tx, long blobId, byte[] header)
    {
        using var cmd = Command(connection, tx, "INSERT OR REPLACE INTO headers (blob_id, header) VALUES ($blob, $header);");
        cmd.Parameters.AddWithValue("$blob", blobId);
        cmd.Parameters.AddWithValue("$header", header);
        cmd.ExecuteNonQuery();
    }

    private Task FillHeadersAsync(List<(long BlobId, byte[] Header)> headers, CancellationToken ct) =>
        WriteCacheAsync((connection, tx) =>
        {
            // The blob may have been expunged since it was read: skip it rather than break the foreign key.
            using var cmd = Command(connection, tx, """
                INSERT OR IGNORE INTO headers (blob_id, header)
                SELECT $blob, $header WHERE EXISTS (SELECT 1 FROM blobs WHERE id = $blob);
                """);
            var blob = cmd.Parameters.AddWithValue("$blob", 0L);
            var header = cmd.Parameters.AddWithValue("$header", Array.Empty<byte>());
            foreach (var (blobId, bytes) in headers)
            {
                blob.Value = blobId;
                header.Value = bytes;
                cmd.ExecuteNonQuery();
            }

            return true;
        }, ct);

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<uint, MessageStructure>> GetCachedStructuresAsync(long mailboxId, IReadOnlyList<uint> uids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(uids);
        return ReadAsync<IReadOnlyDictionary<uint, MessageStructure>>(connection =>
        {
            using var cmd = Command(connection, null, """
                SELECT g.uid, s.envelope, s.bodystructure, s.body
                FROM messages g JOIN structures s ON s.blob_id = g.blob_id
                WHERE g.mailbox_id = $mailbox AND g.uid IN (SELECT value FROM json_each($uids));
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            var uidsParam = cmd.Parameters.AddWithValue("$uids", "[]");
            var found = new Dictionary<uint, MessageStructure>();
            for (int start = 0; start < uids.Count; start += BatchSize)
            {
                uidsParam.Value = JsonArray(uids.Skip(start).Take(BatchSize));
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    found[(uint)reader.GetInt64(0)] = new MessageStructure(reader.GetString(1), reader.GetString(2), reader.GetString(3));
                }
            }

            return found;
        }, ct);
    }

    /// <inheritdoc/>
    public Task SetCachedStructuresAsync(long mailboxId, IReadOnlyList<(uint Uid, MessageStructure Structure)> structures, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(structures);
        if (structures.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteCacheAsync((connection, tx) =>
        {
            // Keyed by the blob, found through the message row in this transaction (a gone UID inserts nothing).
            using var cmd = Command(connection, tx, """
                INSERT OR REPLACE INTO structures (blob_id, envelope, bodystructure, body)
                SELECT blob_id, $envelope, $bodystructure, $body FROM messages WHERE mailbox_id = $mailbox AND uid = $uid;
                """);
            cmd.Parameters.AddWithValue("$mailbox", mailboxId);
            var uid = cmd.Parameters.AddWithValue("$uid", 0L);
            var envelope = cmd.Parameters.AddWithValue("$envelope", "");
            var bodyStructure = cmd.Parameters.AddWithValue("$bodystructure", "");
            var body = cmd.Parameters.AddWithValue("$body", "");
            foreach (var (u, s) in structures)
            {
                uid.Value = (long)u;
                envelope.Value = s.Envelope;
                bodyStructure.Value = s.BodyStructure;
                body.Value = s.Body;
                cmd.ExecuteNonQuery();
            }

            return true;
        }, ct);
    }

    /// <summary>
    /// A write of derived data (caches): one transaction like every write, but without the fsync
    /// of FULL synchronous. WAL with NORMAL keeps the database consistent; a crash may only lose
    /// the newest cache entries, which are computed again when next needed.
    /// </summary>
    private Task<T> WriteCacheAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct) =>
        WriteAsync((connection, tx) => work(connection, tx), ct, durable: false);
}
