using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    /// <remarks>
    /// One body file serves every copy: each INBOX row and the queue entry point at the same blob,
    /// which is deleted when the last of them goes.
    /// </remarks>
    public async Task AcceptAsync(InboundMessage message, Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(content);
        ObjectDisposedException.ThrowIf(_disposed, this);

        long[] local = [.. message.LocalAccounts.Distinct()];
        string[] remote = [.. message.RemoteRecipients.Distinct(StringComparer.Ordinal)];
        if (local.Length == 0 && remote.Length == 0)
        {
            throw new ArgumentException("A message needs at least one local or remote recipient.", nameof(message));
        }

        var body = await _bodies.WriteAsync(content, ct).ConfigureAwait(false);
        List<long> inboxes;
        try
        {
            byte[] header = await HeaderOfStagedBodyAsync(body, ct).ConfigureAwait(false);
            inboxes = await WriteAsync((connection, tx) =>
            {
                long blobId = InsertBlob(connection, tx, body);
                InsertHeader(connection, tx, blobId, header);
                var now = DateTimeOffset.UtcNow;
                List<long> delivered = [];
                foreach (long accountId in local)
                {
                    long inbox = FindInbox(connection, tx, accountId);
                    var (uid, modSeq) = AllocateUid(connection, tx, inbox);
                    InsertMessage(connection, tx, inbox, uid, blobId, (int)MessageFlags.None, [], now, body.Size, modSeq);
                    delivered.Add(inbox);
                }

                if (remote.Length > 0)
                {
                    Enqueue(connection, tx, blobId, message.ReturnPath, remote, now.ToUnixTimeSeconds());
                }

                return delivered;
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            _bodies.Delete([body.RelativePath]);
            throw;
        }

        // IMAP IDLE in the recipients' INBOX learns of the new message now.
        Notify(inboxes);
    }

    /// <inheritdoc/>
    public Task<int> CountQueuedAsync(CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, "SELECT COUNT(*) FROM queue;");
            return checked((int)(long)cmd.ExecuteScalar()!);
        }, ct);

    private static long FindInbox(SqliteConnection connection, SqliteTransaction tx, long accountId)
    {
        using var cmd = Command(connection, tx, "SELECT id FROM mailboxes WHERE account_id = $account AND name = 'INBOX';");
        cmd.Parameters.AddWithValue("$account", accountId);

        // The account may have been removed between RCPT and the end of DATA: fail the whole
        // message (SMTP answers with a temporary error) rather than deliver part of it.
        return cmd.ExecuteScalar() as long?
            ?? throw new InvalidOperationException($"Account {accountId} has no INBOX (it may have been removed); the message was not stored.");
    }

    /// <summary>One queue row per message, one recipient row per remote address (so a later worker can track each).</summary>
    private static void Enqueue(SqliteConnection connection, SqliteTransaction tx, long blobId, string returnPath, string[] recipients, long now)
    {
        long queueId;
        using (var cmd = Command(connection, tx, """
            INSERT INTO queue (blob_id, return_path, created_at, attempts, next_attempt_at)
            VALUES ($blob, $from, $now, 0, $now) RETURNING id;
            """))
        {
            cmd.Parameters.AddWithValue("$blob", blobId);
            cmd.Parameters.AddWithValue("$from", returnPath ?? "");
            cmd.Parameters.AddWithValue("$now", now);
            queueId = (long)cmd.ExecuteScalar()!;
        }

        using var rcpt = Command(connection, tx, "INSERT INTO queue_recipients (queue_id, address) VALUES ($queue, $address);");
        rcpt.Parameters.AddWithValue("$queue", queueId);
        var addressParam = rcpt.Parameters.AddWithValue("$address", "");
        foreach (string address in recipients)
        {
            addressParam.Value = address;
            rcpt.ExecuteNonQuery();
        }
    }
}
