using Microsoft.Data.Sqlite;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public async Task<MailboxInfo> CreateMailboxAsync(long accountId, string name, string? specialUse = null, CancellationToken ct = default)
    {
        string normalized = MailboxNameRules.Validate(name);
        if (MailboxNameRules.IsInbox(normalized))
        {
            // INBOX always exists (RFC 9051 6.3.4); only its children can be created.
            throw new MailboxException(MailboxError.AlreadyExists, "INBOX always exists.");
        }

        var (id, uidValidity, subscribed) = await WriteAsync((connection, tx) =>
        {
            var existing = MailboxNamesOf(connection, tx, accountId);
            if (existing.ContainsKey(normalized))
            {
                throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of that name exists already.");
            }

            CreateMissingAncestors(connection, tx, accountId, normalized, existing);
            var (id, uidValidity) = CreateMailbox(connection, tx, accountId, normalized, specialUse);
            return (id, uidValidity, IsSubscribed(connection, tx, accountId, normalized));
        }, ct).ConfigureAwait(false);

        return new MailboxInfo(id, accountId, normalized, specialUse, uidValidity, UidNext: 1, MessageCount: 0, UnseenCount: 0, TotalSize: 0, subscribed)
        {
            HighestModSeq = 1,
            Keywords = Keywords.None,
        };
    }

    /// <inheritdoc/>
    public async Task DeleteMailboxAsync(long accountId, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        string normalized = MailboxNameRules.Normalize(name);
        if (MailboxNameRules.IsInbox(normalized))
        {
            throw new MailboxException(MailboxError.NotAllowed, "INBOX cannot be deleted.");
        }

        var (mailboxId, files) = await WriteAsync((connection, tx) =>
        {
            var existing = MailboxNamesOf(connection, tx, accountId);
            if (!existing.TryGetValue(normalized, out long id))
            {
                throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            }

            if (existing.Keys.Any(n => MailboxNameRules.IsDescendant(n, normalized)))
            {
                throw new MailboxException(MailboxError.NotAllowed, "The mailbox has child mailboxes; delete them first.");
            }

            List<long> blobIds = [];
            using (var blobs = Command(connection, tx, "SELECT DISTINCT blob_id FROM messages WHERE mailbox_id = $mailbox;"))
            {
                blobs.Parameters.AddWithValue("$mailbox", id);
                using var reader = blobs.ExecuteReader();
                while (reader.Read())
                {
                    blobIds.Add(reader.GetInt64(0));
                }
            }

            // Messages and tombstones go by ON DELETE CASCADE.
            using (var delete = Command(connection, tx, "DELETE FROM mailboxes WHERE id = $mailbox;"))
            {
                delete.Parameters.AddWithValue("$mailbox", id);
                delete.ExecuteNonQuery();
            }

            return (id, DeleteUnreferencedBlobs(connection, tx, blobIds));
        }, ct).ConfigureAwait(false);

        // Files only after commit, as everywhere: a crash in between leaves orphans the next open removes.
        _bodies.Delete(files);
        Notify(mailboxId);
    }

    /// <inheritdoc/>
    public async Task RenameMailboxAsync(long accountId, string oldName, string newName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(oldName);
        string from = MailboxNameRules.Normalize(oldName);
        string to = MailboxNameRules.Validate(newName);
        if (MailboxNameRules.IsInbox(to))
        {
            throw new MailboxException(MailboxError.AlreadyExists, "INBOX always exists.");
        }

        var affected = await WriteAsync((connection, tx) =>
        {
            var existing = MailboxNamesOf(connection, tx, accountId);
            if (!existing.TryGetValue(from, out long fromId))
            {
                throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            }

            if (existing.ContainsKey(to))
            {
                throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of the new name exists already.");
            }

            if (MailboxNameRules.IsInbox(from))
            {
                // RFC 9051 6.3.6: renaming INBOX moves its messages to a new mailbox and leaves
                // INBOX empty; INBOX's children stay where they are.
                CreateMissingAncestors(connection, tx, accountId, to, existing);
                var (targetId, _) = CreateMailbox(connection, tx, accountId, to, null);
                TransferMessages(connection, tx, fromId, null, targetId, move: true);
                return new List<long> { fromId, targetId };
            }

            if (MailboxNameRules.IsDescendant(to, from))
            {
                throw new MailboxException(MailboxError.InvalidName, "A mailbox cannot be renamed into its own hierarchy.");
            }

            // The mailbox and every child keep their ids, so UIDVALIDITY and UIDs stay (RFC 9051 6.3.6).
            List<(long Id, string Name)> renames = [];
            foreach (var (name, id) in existing)
            {
                if (name == from || MailboxNameRules.IsDescendant(name, from))
                {
                    string target = MailboxNameRules.Validate(to + name[from.Length..]);
                    if (existing.ContainsKey(target))
                    {
                        throw new MailboxException(MailboxError.AlreadyExists, "A mailbox of a new child name exists already.");
                    }

                    renames.Add((id, target));
                }
            }

            CreateMissingAncestors(connection, tx, accountId, to, existing);
            using var update = Command(connection, tx, "UPDATE mailboxes SET name = $name WHERE id = $id;");
            var nameParam = update.Parameters.AddWithValue("$name", "");
            var idParam = update.Parameters.AddWithValue("$id", 0L);

            // Subscriptions follow the mailboxes (as Dovecot does); one already on a new name stays.
            using var resubscribe = Command(connection, tx, """
                UPDATE OR REPLACE subscriptions SET name = $name WHERE account_id = $account AND name = $old;
                """);
            var newNameParam = resubscribe.Parameters.AddWithValue("$name", "");
            var oldNameParam = resubscribe.Parameters.AddWithValue("$old", "");
            resubscribe.Parameters.AddWithValue("$account", accountId);
            var oldNames = existing.ToDictionary(e => e.Value, e => e.Key);
            foreach (var (id, target) in renames)
            {
                nameParam.Value = target;
                idParam.Value = id;
                update.ExecuteNonQuery();
                newNameParam.Value = target;
                oldNameParam.Value = oldNames[id];
                resubscribe.ExecuteNonQuery();
            }

            return renames.Select(r => r.Id).ToList();
        }, ct).ConfigureAwait(false);

        Notify(affected);
    }

    /// <inheritdoc/>
    public Task SetSubscribedAsync(long accountId, string name, bool subscribed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        string normalized = MailboxNameRules.Normalize(name);
        return WriteAsync((connection, tx) =>
        {
            bool exists = MailboxNamesOf(connection, tx, accountId).ContainsKey(normalized);
            if (subscribed && !exists)
            {
                // RFC 3501 6.3.6 lets a server refuse names that are not mailboxes; typos stay out of the list.
                throw new MailboxException(MailboxError.NotFound, "No mailbox of that name.");
            }

            using var cmd = Command(connection, tx, subscribed
                ? "INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES ($account, $name);"
                : "DELETE FROM subscriptions WHERE account_id = $account AND name = $name;");
            cmd.Parameters.AddWithValue("$account", accountId);
            cmd.Parameters.AddWithValue("$name", normalized);
            return cmd.ExecuteNonQuery() > 0 || exists
                ? true
                : throw new MailboxException(MailboxError.NotFound, "No mailbox or subscription of that name.");
        }, ct);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListSubscriptionsAsync(long accountId, CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<string>>(connection =>
        {
            using var cmd = Command(connection, null, "SELECT name FROM subscriptions WHERE account_id = $account ORDER BY name;");
            cmd.Parameters.AddWithValue("$account", accountId);
            using var reader = cmd.ExecuteReader();
            List<string> names = [];
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            return names;
        }, ct);

    private static bool IsSubscribed(SqliteConnection connection, SqliteTransaction tx, long accountId, string name)
    {
        using var cmd = Command(connection, tx, "SELECT 1 FROM subscriptions WHERE account_id = $account AND name = $name;");
        cmd.Parameters.AddWithValue("$account", accountId);
        cmd.Parameters.AddWithValue("$name", name);
        return cmd.ExecuteScalar() is not null;
    }

    /// <inheritdoc/>
    public Task<long> GetAccountSizeAsync(long accountId, CancellationToken ct = default) =>
        ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, """
                SELECT COALESCE(SUM(total_size), 0) FROM mailboxes WHERE account_id = $account;
                """);
            cmd.Parameters.AddWithValue("$account", accountId);
            return (long)cmd.ExecuteScalar()!;
        }, ct);

    /// <summary>All mailbox names of an account (an account has tens, not millions) with their ids, read in the write transaction.</summary>
    private static Dictionary<string, long> MailboxNamesOf(SqliteConnection connection, SqliteTransaction tx, long accountId)
    {
        using (var account = Command(connection, tx, "SELECT 1 FROM accounts WHERE id = $account;"))
        {
            account.Parameters.AddWithValue("$account", accountId);
            if (account.ExecuteScalar() is null)
            {
                throw new InvalidOperationException($"Account {accountId} does not exist.");
            }
        }

        using var cmd = Command(connection, tx, "SELECT name, id FROM mailboxes WHERE account_id = $account;");
        cmd.Parameters.AddWithValue("$account", accountId);
        using var reader = cmd.ExecuteReader();
        var names = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            names[reader.GetString(0)] = reader.GetInt64(1);
        }

        return names;
    }

    /// <summary>RFC 9051 6.3.4: creating "a/b/c" creates "a" and "a/b" when they are missing.</summary>
    private static void CreateMissingAncestors(SqliteConnection connection, SqliteTransaction tx, long accountId, string name, Dictionary<string, long> existing)
    {
        foreach (string ancestor in MailboxNameRules.Ancestors(name))
        {
            if (!existing.ContainsKey(ancestor))
            {
                existing[ancestor] = CreateMailbox(connection, tx, accountId, ancestor, null).Id;
            }
        }
    }
}
