using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    // Counters come from the mailbox row (kept by triggers, schema step 3), not from the messages.
    private const string MailboxColumns = """
        SELECT m.id, m.account_id, m.name, m.special_use, m.uid_validity, m.uid_next,
               EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = m.account_id AND s.name = m.name),
               m.message_count, m.unseen_count, m.total_size, m.highest_modseq, m.deleted_count
        FROM mailboxes m
        """;

    /// <inheritdoc/>
    public Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(long accountId, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<MailboxInfo>>(connection =>
        {
            // One read transaction: counts and keywords come from the same snapshot.
            using var tx = connection.BeginTransaction(deferred: true);

            // INBOX first, then by name: the order clients show them in anyway.
            using var cmd = Command(connection, tx, MailboxColumns + """

                WHERE m.account_id = $account
                ORDER BY m.name <> 'INBOX', m.name;
                """);
            cmd.Parameters.AddWithValue("$account", accountId);
            using var reader = cmd.ExecuteReader();
            List<MailboxInfo> boxes = [];
            while (reader.Read())
            {
                boxes.Add(ReadMailbox(reader));
            }

            reader.Close();

            // Keywords of all the account's mailboxes in one more query, not one per mailbox.
            using var words = Command(connection, tx, """
                SELECT g.mailbox_id, g.keywords FROM messages g JOIN mailboxes m ON m.id = g.mailbox_id
                WHERE m.account_id = $account AND g.keywords IS NOT NULL
                GROUP BY g.mailbox_id, g.keywords;
                """);
            words.Parameters.AddWithValue("$account", accountId);
            var byMailbox = new Dictionary<long, List<string>>();
            using (var rows = words.ExecuteReader())
            {
                while (rows.Read())
                {
                    long id = rows.GetInt64(0);
                    if (!byMailbox.TryGetValue(id, out var list))
                    {
                        byMailbox[id] = list = [];
                    }

                    list.Add(rows.GetString(1));
                }
            }

            return [.. boxes.Select(b => byMailbox.TryGetValue(b.Id, out var columns) ? b with { Keywords = Keywords.Distinct(columns) } : b)];
        }, ct);

    /// <inheritdoc/>
    public Task<MailboxInfo?> GetMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);

        // RFC 9051 5.1: INBOX is case-insensitive (also as the first level); everything else matches exactly.
        string stored = MailboxNameRules.Normalize(name);
        return ReadAsync(connection =>
        {
            // One read transaction: counts and keywords come from the same snapshot.
            using var tx = connection.BeginTransaction(deferred: true);
            using var cmd = Command(connection, tx, MailboxColumns + """

                WHERE m.account_id = $account AND m.name = $name;
                """);
            cmd.Parameters.AddWithValue("$account", accountId);
            cmd.Parameters.AddWithValue("$name", stored);
            MailboxInfo box;
            using (var reader = cmd.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return null;
                }

                box = ReadMailbox(reader);
            }

            return box with { Keywords = ReadKeywords(connection, tx, box.Id) };
        }, ct);
    }

    private static IReadOnlyList<string> ReadKeywords(SqliteConnection connection, SqliteTransaction tx, long mailboxId)
    {
        // Served by the partial index messages_keywords: only messages with keywords are visited.
        using var cmd = Command(connection, tx, "SELECT DISTINCT keywords FROM messages WHERE mailbox_id = $mailbox AND keywords IS NOT NULL;");
        cmd.Parameters.AddWithValue("$mailbox", mailboxId);
        using var reader = cmd.ExecuteReader();
        List<string> columns = [];
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return Keywords.Distinct(columns);
    }

    /// <summary>
    /// Creates a mailbox inside a write transaction. UIDVALIDITY is the current time in seconds,
    /// bumped past the last one ever issued (kept in counters), so it is nonzero, never repeats
    /// for a recreated mailbox and differs between mailboxes made in the same second
    /// (RFC 9051 2.3.1.1: a UIDVALIDITY must not be reused for a mailbox name).
    /// </summary>
    private static (long Id, uint UidValidity) CreateMailbox(SqliteConnection connection, SqliteTransaction tx, long accountId, string name, string? specialUse)
    {
        long uidValidity;
        using (var next = Command(connection, tx, """
            INSERT INTO counters (name, value) VALUES ('uid_validity', $now)
            ON CONFLICT (name) DO UPDATE SET value = MAX($now, value + 1)
            RETURNING value;
            """))
        {
            next.Parameters.AddWithValue("$now", UnixSecondsNow());
            uidValidity = (long)next.ExecuteScalar()!;
        }

        if (uidValidity is < 1 or > uint.MaxValue)
        {
            // Only after year 2106, or a clock far in the future.
            throw new InvalidOperationException("No UIDVALIDITY value is left in the 32-bit range; check the system clock.");
        }

        using var insert = Command(connection, tx, """
            INSERT INTO mailboxes (account_id, name, special_use, uid_validity)
            VALUES ($account, $name, $use, $validity) RETURNING id;
            """);
        insert.Parameters.AddWithValue("$account", accountId);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$use", (object?)specialUse ?? DBNull.Value);
        insert.Parameters.AddWithValue("$validity", uidValidity);
        return ((long)insert.ExecuteScalar()!, (uint)uidValidity);
    }

    private static MailboxInfo ReadMailbox(SqliteDataReader r) => new(
        Id: r.GetInt64(0),
        AccountId: r.GetInt64(1),
        Name: r.GetString(2),
        SpecialUse: r.IsDBNull(3) ? null : r.GetString(3),
        UidValidity: (uint)r.GetInt64(4),
        UidNext: (uint)r.GetInt64(5),
        MessageCount: checked((int)r.GetInt64(7)),
        UnseenCount: checked((int)r.GetInt64(8)),
        TotalSize: r.GetInt64(9),
        Subscribed: r.GetInt64(6) != 0)
    {
        HighestModSeq = (ulong)r.GetInt64(10),
        DeletedCount = checked((int)r.GetInt64(11)),
        Keywords = Keywords.None,
    };
}
