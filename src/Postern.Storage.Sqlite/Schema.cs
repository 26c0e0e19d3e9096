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

        // 3: IMAP hot paths on large mailboxes. Counters in the mailbox row, kept by triggers in
        // the same transaction as every message change (so they can never disagree with the rows)
        // and computed once here for existing mail; an index for "changed since MODSEQ" (NOOP,
        // IDLE); a partial index so a mailbox's keywords are read without scanning its messages;
        // the header block of each body (filled at store time, lazily for older mail) and the
        // computed ENVELOPE/BODYSTRUCTURE strings, both per blob so copies share them. An empty
        // header means "not cached, read the file" (too long, or an empty message).
        """
        ALTER TABLE mailboxes ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE mailboxes ADD COLUMN unseen_count  INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE mailboxes ADD COLUMN deleted_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE mailboxes ADD COLUMN total_size    INTEGER NOT NULL DEFAULT 0;
        UPDATE mailboxes SET
            message_count = (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = mailboxes.id),
            unseen_count  = (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = mailboxes.id AND (g.flags & 1) = 0),
            deleted_count = (SELECT COUNT(*) FROM messages g WHERE g.mailbox_id = mailboxes.id AND (g.flags & 8) <> 0),
            total_size    = (SELECT COALESCE(SUM(g.size), 0) FROM messages g WHERE g.mailbox_id = mailboxes.id);
        CREATE TRIGGER messages_counters_insert AFTER INSERT ON messages BEGIN
            UPDATE mailboxes SET
                message_count = message_count + 1,
                unseen_count  = unseen_count + ((NEW.flags & 1) = 0),
                deleted_count = deleted_count + ((NEW.flags & 8) <> 0),
                total_size    = total_size + NEW.size
            WHERE id = NEW.mailbox_id;
        END;
        CREATE TRIGGER messages_counters_delete AFTER DELETE ON messages BEGIN
            UPDATE mailboxes SET
                message_count = message_count - 1,
                unseen_count  = unseen_count - ((OLD.flags & 1) = 0),
                deleted_count = deleted_count - ((OLD.flags & 8) <> 0),
                total_size    = total_size - OLD.size
            WHERE id = OLD.mailbox_id;
        END;
        CREATE TRIGGER messages_counters_flags AFTER UPDATE OF flags ON messages
        WHEN (OLD.flags & 9) <> (NEW.flags & 9) BEGIN
            UPDATE mailboxes SET
                unseen_count  = unseen_count + ((NEW.flags & 1) = 0) - ((OLD.flags & 1) = 0),
                deleted_count = deleted_count + ((NEW.flags & 8) <> 0) - ((OLD.flags & 8) <> 0)
            WHERE id = NEW.mailbox_id;
        END;
        CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
        CREATE INDEX messages_keywords ON messages(mailbox_id, keywords) WHERE keywords IS NOT NULL;
        CREATE TABLE headers (
            blob_id INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
            header  BLOB NOT NULL
        );
        CREATE TABLE structures (
            blob_id       INTEGER PRIMARY KEY REFERENCES blobs(id) ON DELETE CASCADE,
            envelope      TEXT NOT NULL,
            bodystructure TEXT NOT NULL,
            body          TEXT NOT NULL
        );
        """,

        // 4: SCRAM-SHA-256 keys beside the PBKDF2 password hash, at an iteration count SCRAM
        // clients accept (ScramKeys says why the hash cannot serve). A table of their own, so an
        // account has all four values or none: accounts from before this step have none until
        // their next password login fills them in. Never the salted password, only StoredKey and
        // ServerKey (RFC 5802 section 3).
        """
        CREATE TABLE scram_keys (
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            iterations INTEGER NOT NULL CHECK (iterations BETWEEN 1 AND 65536),
            salt       BLOB NOT NULL,
            stored_key BLOB NOT NULL,           -- H(ClientKey)
            server_key BLOB NOT NULL
        );
        """,

        // 5: subscriptions are names, not a mailbox flag, so a deleted mailbox stays subscribed
        // until UNSUBSCRIBE (RFC 3501 6.3.6) and LIST (SUBSCRIBED) can show it \NonExistent
        // (RFC 5258 3.1). The flags set so far become names.
        """
        CREATE TABLE subscriptions (
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            name       TEXT NOT NULL,
            PRIMARY KEY (account_id, name)
        ) WITHOUT ROWID;
        INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed <> 0;
        ALTER TABLE mailboxes DROP COLUMN subscribed;
        """,

        // 6: \Recent, the first UID no session has been shown as recent yet (RFC 3501 2.3.2); a
        // read-write SELECT moves it up. Mail from before the upgrade has been seen by clients
        // already, so it starts out claimed; new mailboxes start at 1.
        """
        ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 1;
        UPDATE mailboxes SET recent_uid = uid_next;
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
