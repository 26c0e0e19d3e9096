using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

/// <summary>
/// The database schema as an ordered list of migration steps. PRAGMA user_version holds the
/// number of steps applied; a later version appends steps (ALTER TABLE ... ADD COLUMN, new
/// tables) and never edits old ones, so every existing store upgrades in place.
/// </summary>
internal static class Schema
{
    private static readonly string[] s_steps =
    [
        // 1: the initial schema. AUTOINCREMENT on accounts and mailboxes so an id is never
        // reused: a session holding a stale id can never reach someone else's new mailbox.
        """
        CREATE TABLE domains (
            id   INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE            -- lowercased
        );
        CREATE TABLE accounts (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            domain_id     INTEGER NOT NULL REFERENCES domains(id),
            address       TEXT NOT NULL UNIQUE,   -- lowercased
            password_hash TEXT NOT NULL,
            created_at    INTEGER NOT NULL        -- unix seconds
        );
        CREATE INDEX accounts_domain ON accounts(domain_id);
        CREATE TABLE mailboxes (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            name         TEXT NOT NULL,
            special_use  TEXT,
            uid_validity INTEGER NOT NULL CHECK (uid_validity BETWEEN 1 AND 4294967295),
            uid_next     INTEGER NOT NULL DEFAULT 1 CHECK (uid_next BETWEEN 1 AND 4294967295),
            subscribed   INTEGER NOT NULL DEFAULT 1,
            UNIQUE (account_id, name)
        );
        CREATE TABLE blobs (
            id   INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,           -- relative to messages/, generated
            size INTEGER NOT NULL
        );
        CREATE TABLE messages (
            mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
            uid           INTEGER NOT NULL,
            blob_id       INTEGER NOT NULL REFERENCES blobs(id),
            flags         INTEGER NOT NULL,
            internal_date INTEGER NOT NULL,      -- unix milliseconds
            internal_tz   INTEGER NOT NULL,      -- offset from UTC in minutes
            size          INTEGER NOT NULL,
            PRIMARY KEY (mailbox_id, uid)
        ) WITHOUT ROWID;
        CREATE INDEX messages_blob ON messages(blob_id);
        CREATE TABLE queue (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            blob_id         INTEGER NOT NULL REFERENCES blobs(id),
            return_path     TEXT NOT NULL,
            created_at      INTEGER NOT NULL,    -- unix seconds
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL     -- unix seconds
        );
        CREATE INDEX queue_blob ON queue(blob_id);
        CREATE INDEX queue_next ON queue(next_attempt_at);
        CREATE TABLE queue_recipients (
            queue_id INTEGER NOT NULL REFERENCES queue(id) ON DELETE CASCADE,
            address  TEXT NOT NULL,
            PRIMARY KEY (queue_id, address)
        ) WITHOUT ROWID;
        CREATE TABLE counters (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,

        // 2: the complete IMAP server. RFC 7162 MODSEQ per mailbox (starting at 1: a
        // mod-sequence value is positive, and existing messages all get 1); keywords as one
        // space-separated column (a keyword is an atom, so it never holds a space), read by the
        // same range scan as the rest of a listing; expunge tombstones for VANISHED (EARLIER).
        """
        ALTER TABLE mailboxes ADD COLUMN highest_modseq INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE messages ADD COLUMN modseq INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE messages ADD COLUMN keywords TEXT;
        CREATE TABLE expunged (
            mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
            uid        INTEGER NOT NULL,
            modseq     INTEGER NOT NULL,
            PRIMARY KEY (mailbox_id, uid)
        ) WITHOUT ROWID;
        CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
        """,
    ];

    /// <summary>The SQL of migration step <paramref name="version"/> (1-based), for upgrade tests.</summary>
    internal static string Step(int version) => s_steps[version - 1];

    /// <summary>The schema version this code writes.</summary>
    public static int CurrentVersion => s_steps.Length;

    /// <summary>Applies the missing steps, each in its own transaction; returns the version found before.</summary>
    public static int Migrate(SqliteConnection connection)
    {
        int found = ReadVersion(connection);
        if (found > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The store was written by a newer Postern (schema version {found}, this one knows {CurrentVersion}); upgrade Postern to open it.");
        }

        for (int v = found; v < CurrentVersion; v++)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;

            // PRAGMA takes no parameters; v + 1 is an int we produced.
            cmd.CommandText = s_steps[v] + $"\nPRAGMA user_version = {v + 1};";
            cmd.ExecuteNonQuery();
            tx.Commit();
        }

        return found;
    }

    private static int ReadVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
