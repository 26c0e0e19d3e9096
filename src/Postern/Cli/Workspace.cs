using Microsoft.Extensions.Logging;
using Postern.Configuration;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;
using Postern.Storage.Sqlite;

namespace Postern.Cli;

/// <summary>The data folder and what lives in it: configuration, certificate, store.</summary>
public static class Workspace
{
    public static Task<SqliteMailStore> OpenStoreAsync(string dataDir, ILogger? log, CancellationToken ct)
    {
        if (!Directory.Exists(dataDir))
        {
            throw new UserError($"The data folder {dataDir} does not exist; run `postern init --hostname NAME` first, or pass --data DIR.");
        }

        return SqliteMailStore.OpenAsync(dataDir, log, ct);
    }

    public static string ResolvePath(string dataDir, string path) => Path.IsPathRooted(path) ? path : Path.Combine(dataDir, path);

    /// <summary>
    /// Creates the data folder, a commented postern.json and a self-signed certificate for
    /// <paramref name="hostname"/> when they are missing, then adds the domains. Returns lines to print.
    /// </summary>
    public static async Task<List<string>> InitAsync(string dataDir, string hostname, IReadOnlyList<string> domains, CancellationToken ct)
    {
        var report = new List<string>();
        if (Uri.CheckHostName(hostname) == UriHostNameType.Unknown)
        {
            throw new UserError($"'{hostname}' is not a valid host name.");
        }

        Directory.CreateDirectory(dataDir);
        if (!OperatingSystem.IsWindows())
        {
            // Keys and mail live here: only the owner may look inside.
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string configFile = DataFolder.ConfigFile(dataDir);
        if (File.Exists(configFile))
        {
            var existing = ConfigLoader.Bind(ConfigLoader.Build(dataDir));
            if (!string.Equals(existing.Hostname, hostname, StringComparison.OrdinalIgnoreCase))
            {
                throw new UserError($"{configFile} already exists with Hostname '{existing.Hostname}'; edit it there to change the host name.");
            }

            report.Add($"Configuration {configFile} already exists; kept.");
        }
        else
        {
            await File.WriteAllTextAsync(configFile, DefaultConfigFile.Render(hostname), ct);
            report.Add($"Wrote {configFile} (host name {hostname}).");
        }

        var options = ConfigLoader.Bind(ConfigLoader.Build(dataDir));
        string cert = ResolvePath(dataDir, options.Tls.Certificate);
        string key = ResolvePath(dataDir, options.Tls.Key);
        if (!File.Exists(cert) && !File.Exists(key))
        {
            using var created = SelfSignedCertificate.Create(hostname);
            SelfSignedCertificate.WritePem(created, cert, key);
            report.Add($"Created a self-signed certificate for {hostname} in {cert} (replace it with one from your CA for public use).");
        }

        await using var store = await SqliteMailStore.OpenForAdministrationAsync(dataDir, null, ct);
        foreach (var d in domains)
        {
            string domain = Names.Domain(d);
            report.Add(await store.AddDomainAsync(domain, ct) ? $"Added domain {domain}." : $"Domain {domain} was already there.");
        }

        return report;
    }

    /// <summary>
    /// The newcomer's path (serve with no data folder): init for "localhost" with domain
    /// "localhost" and a first user whose random password is printed once.
    /// </summary>
    public static async Task<List<string>> QuickStartAsync(string dataDir, CancellationToken ct)
    {
        const string host = "localhost";
        var report = await InitAsync(dataDir, host, [host], ct);
        string address = $"postmaster@{host}";
        string password = PasswordInput.Generate();
        await using var store = await SqliteMailStore.OpenForAdministrationAsync(dataDir, null, ct);
        if (await store.FindAccountAsync(address, ct) is null)
        {
            var (hash, scram) = Credentials(dataDir, password);
            await store.AddAccountAsync(address, hash, scram, ct);
            report.Add($"Created the first user {address} with password {password}");
            report.Add("  (shown only this once; change it with: postern user passwd " + address + ")");
        }

        return report;
    }

    public static TlsPolicy LoadTls(string dataDir, PosternOptions options)
    {
        try
        {
            return TlsConfig.Load(dataDir, options.Tls);
        }
        catch (TlsConfigurationException e)
        {
            throw new UserError(e.Message);
        }
    }

    public static async Task<IMailStore> OpenForAdminAsync(string dataDir, CancellationToken ct)
    {
        if (!DataFolder.IsInitialised(dataDir))
        {
            throw new UserError($"{dataDir} holds no Postern configuration; run `postern init --hostname NAME --data {dataDir}` first.");
        }

        return await SqliteMailStore.OpenForAdministrationAsync(dataDir, null, ct);
    }

    /// <summary>
    /// What a new password is stored as: the PBKDF2 hash (LOGIN, PLAIN, USER/PASS) and the SCRAM
    /// keys at the configured Auth:ScramIterations, the same count serve uses when it fills them in.
    /// </summary>
    public static (string Hash, ScramKeys Scram) Credentials(string dataDir, string password)
    {
        var options = ConfigLoader.Bind(ConfigLoader.Build(dataDir));
        return (PasswordHasher.Hash(password), ScramKeys.Derive(password, options.Auth.ScramIterations));
    }
}
