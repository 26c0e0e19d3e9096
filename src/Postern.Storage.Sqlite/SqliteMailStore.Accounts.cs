using Microsoft.Data.Sqlite;
using Postern.Storage.Accounts;

namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public Task<Account?> FindAccountAsync(string address, CancellationToken ct = default)
    {
        // Login input: a malformed address is just an unknown user.
        var name = AddressRules.TryAddress(address);
        if (name is null)
        {
            return Task.FromResult<Account?>(null);
        }

        return ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, AccountColumns + " WHERE a.address = $address;");
            cmd.Parameters.AddWithValue("$address", name.Value.Address);
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? ReadAccount(reader) : null;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<Account>>(connection =>
        {
            using var cmd = Command(connection, null, AccountColumns + " ORDER BY a.address;");
            using var reader = cmd.ExecuteReader();
            List<Account> accounts = [];
            while (reader.Read())
            {
                accounts.Add(ReadAccount(reader));
            }

            return accounts;
        }, ct);

    /// <inheritdoc/>
    public Task<Account> AddAccountAsync(string address, string passwordHash, ScramKeys? scram = null, CancellationToken ct = default)
    {
        var (normalized, domain) = AddressRules.Address(address, nameof(address));
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        return WriteAsync((connection, tx) =>
        {
            long domainId;
            using (var find = Command(connection, tx, "SELECT id FROM domains WHERE name = $name;"))
            {
                find.Parameters.AddWithValue("$name", domain);
                domainId = find.ExecuteScalar() is long id
                    ? id
                    : throw new InvalidOperationException($"The domain {domain} is not a local domain; add the domain before adding {normalized}.");
            }

            using (var exists = Command(connection, tx, "SELECT 1 FROM accounts WHERE address = $address;"))
            {
                exists.Parameters.AddWithValue("$address", normalized);
                if (exists.ExecuteScalar() is not null)
                {
                    throw new InvalidOperationException($"The account {normalized} already exists.");
                }
            }

            long accountId;
            using (var insert = Command(connection, tx, """
                INSERT INTO accounts (domain_id, address, password_hash, created_at)
                VALUES ($domain, $address, $hash, $now) RETURNING id;
                """))
            {
                insert.Parameters.AddWithValue("$domain", domainId);
                insert.Parameters.AddWithValue("$address", normalized);
                insert.Parameters.AddWithValue("$hash", passwordHash);
                insert.Parameters.AddWithValue("$now", UnixSecondsNow());
                accountId = (long)insert.ExecuteScalar()!;
            }

            WriteScramKeys(connection, tx, accountId, scram);

            // The default mailboxes are subscribed, so clients that show only subscribed folders show them.
            using var subscribe = Command(connection, tx, "INSERT INTO subscriptions (account_id, name) VALUES ($account, $name);");
            subscribe.Parameters.AddWithValue("$account", accountId);
            var subscribeName = subscribe.Parameters.AddWithValue("$name", "");
            foreach (var (name, specialUse) in DefaultMailboxes.All)
            {
                CreateMailbox(connection, tx, accountId, name, specialUse);
                subscribeName.Value = name;
                subscribe.ExecuteNonQuery();
            }

            return new Account(accountId, normalized, passwordHash, scram);
        }, ct);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAccountAsync(string address, CancellationToken ct = default)
    {
        var name = AddressRules.TryAddress(address);
        if (name is null)
        {
            return false;
        }

        var removed = await WriteAsync<List<string>?>((connection, tx) =>
        {
            long accountId;
            using (var find = Command(connection, tx, "SELECT id FROM accounts WHERE address = $address;"))
            {
                find.Parameters.AddWithValue("$address", name.Value.Address);
                if (find.ExecuteScalar() is not long id)
                {
                    return null;
                }

                accountId = id;
            }

            // The account's bodies are candidates for deletion; a body another account (or the
            // queue) still shares stays.
            List<long> blobIds = [];
            using (var blobs = Command(connection, tx, """
                SELECT DISTINCT g.blob_id FROM messages g JOIN mailboxes m ON m.id = g.mailbox_id
                WHERE m.account_id = $account;
                """))
            {
                blobs.Parameters.AddWithValue("$account", accountId);
                using var reader = blobs.ExecuteReader();
                while (reader.Read())
                {
                    blobIds.Add(reader.GetInt64(0));
                }
            }

            // Mailboxes and messages go by ON DELETE CASCADE.
            using (var delete = Command(connection, tx, "DELETE FROM accounts WHERE id = $account;"))
            {
                delete.Parameters.AddWithValue("$account", accountId);
                delete.ExecuteNonQuery();
            }

            return DeleteUnreferencedBlobs(connection, tx, blobIds);
        }, ct).ConfigureAwait(false);

        if (removed is null)
        {
            return false;
        }

        // Only after commit: a crash before this leaves orphans that the next open removes.
        _bodies.Delete(removed);
        return true;
    }

    /// <inheritdoc/>
    public Task<bool> SetPasswordHashAsync(string address, string passwordHash, ScramKeys? scram = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var name = AddressRules.TryAddress(address);
        if (name is null)
        {
            return Task.FromResult(false);
        }

        return WriteAsync((connection, tx) =>
        {
            using var cmd = Command(connection, tx, "UPDATE accounts SET password_hash = $hash WHERE address = $address RETURNING id;");
            cmd.Parameters.AddWithValue("$hash", passwordHash);
            cmd.Parameters.AddWithValue("$address", name.Value.Address);
            if (cmd.ExecuteScalar() is not long accountId)
            {
                return false;
            }

            WriteScramKeys(connection, tx, accountId, scram);
            return true;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<bool> SetScramKeysAsync(string address, string verifiedPasswordHash, ScramKeys scram, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scram);
        var name = AddressRules.TryAddress(address);
        if (name is null)
        {
            return Task.FromResult(false);
        }

        return WriteAsync((connection, tx) =>
        {
            // Compare and set inside the write transaction: a password change committed since the
            // login checked the hash makes this a no-op.
            using var find = Command(connection, tx, "SELECT id FROM accounts WHERE address = $address AND password_hash = $hash;");
            find.Parameters.AddWithValue("$address", name.Value.Address);
            find.Parameters.AddWithValue("$hash", verifiedPasswordHash);
            if (find.ExecuteScalar() is not long accountId)
            {
                return false;
            }

            WriteScramKeys(connection, tx, accountId, scram);
            return true;
        }, ct);
    }

    /// <summary>An account row with its SCRAM keys, if any; append WHERE or ORDER BY on "a".</summary>
    private const string AccountColumns = """
        SELECT a.id, a.address, a.password_hash, k.iterations, k.salt, k.stored_key, k.server_key
        FROM accounts a LEFT JOIN scram_keys k ON k.account_id = a.id
        """;

    private static Account ReadAccount(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
            reader.IsDBNull(3) ? null : new ScramKeys(reader.GetInt32(3), (byte[])reader[4], (byte[])reader[5], (byte[])reader[6]));

    /// <summary>Replaces the account's SCRAM keys; null removes them.</summary>
    private static void WriteScramKeys(SqliteConnection connection, SqliteTransaction tx, long accountId, ScramKeys? scram)
    {
        using var cmd = Command(connection, tx, scram is null
            ? "DELETE FROM scram_keys WHERE account_id = $account;"
            : """
              INSERT INTO scram_keys (account_id, iterations, salt, stored_key, server_key)
              VALUES ($account, $iterations, $salt, $stored, $server)
              ON CONFLICT (account_id) DO UPDATE SET iterations = excluded.iterations, salt = excluded.salt,
                  stored_key = excluded.stored_key, server_key = excluded.server_key;
              """);
        cmd.Parameters.AddWithValue("$account", accountId);
        if (scram is not null)
        {
            cmd.Parameters.AddWithValue("$iterations", scram.Iterations);
            cmd.Parameters.AddWithValue("$salt", scram.Salt);
            cmd.Parameters.AddWithValue("$stored", scram.StoredKey);
            cmd.Parameters.AddWithValue("$server", scram.ServerKey);
        }

        cmd.ExecuteNonQuery();
    }
}
