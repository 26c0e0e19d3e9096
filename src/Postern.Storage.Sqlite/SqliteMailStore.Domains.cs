namespace Postern.Storage.Sqlite;

public sealed partial class SqliteMailStore
{
    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListDomainsAsync(CancellationToken ct = default) =>
        ReadAsync<IReadOnlyList<string>>(connection =>
        {
            using var cmd = Command(connection, null, "SELECT name FROM domains ORDER BY name;");
            using var reader = cmd.ExecuteReader();
            List<string> domains = [];
            while (reader.Read())
            {
                domains.Add(reader.GetString(0));
            }

            return domains;
        }, ct);

    /// <inheritdoc/>
    public Task<bool> IsLocalDomainAsync(string domain, CancellationToken ct = default)
    {
        // Called with what an SMTP client typed: anything malformed is simply not ours.
        string? name = AddressRules.TryDomain(domain);
        if (name is null)
        {
            return Task.FromResult(false);
        }

        return ReadAsync(connection =>
        {
            using var cmd = Command(connection, null, "SELECT 1 FROM domains WHERE name = $name;");
            cmd.Parameters.AddWithValue("$name", name);
            return cmd.ExecuteScalar() is not null;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<bool> AddDomainAsync(string domain, CancellationToken ct = default)
    {
        string name = AddressRules.Domain(domain, nameof(domain));
        return WriteAsync((connection, tx) =>
        {
            using var cmd = Command(connection, tx, "INSERT INTO domains (name) VALUES ($name) ON CONFLICT (name) DO NOTHING;");
            cmd.Parameters.AddWithValue("$name", name);
            return cmd.ExecuteNonQuery() > 0;
        }, ct);
    }

    /// <inheritdoc/>
    public Task<bool> RemoveDomainAsync(string domain, CancellationToken ct = default)
    {
        string? name = AddressRules.TryDomain(domain);
        if (name is null)
        {
            return Task.FromResult(false);
        }

        return WriteAsync((connection, tx) =>
        {
            using var find = Command(connection, tx, "SELECT id, (SELECT COUNT(*) FROM accounts WHERE domain_id = domains.id) FROM domains WHERE name = $name;");
            find.Parameters.AddWithValue("$name", name);
            long id, accounts;
            using (var reader = find.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return false;
                }

                id = reader.GetInt64(0);
                accounts = reader.GetInt64(1);
            }

            if (accounts > 0)
            {
                throw new InvalidOperationException($"The domain {name} still has {accounts} account(s); remove them before removing the domain.");
            }

            using var delete = Command(connection, tx, "DELETE FROM domains WHERE id = $id;");
            delete.Parameters.AddWithValue("$id", id);
            return delete.ExecuteNonQuery() > 0;
        }, ct);
    }
}
