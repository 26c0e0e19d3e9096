using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Postern.Storage.Sqlite;

/// <summary>
/// The embedded default store: metadata in data/store.db (SQLite, WAL), each message body in
/// its own file under data/messages/. See README.md in this folder for the layout and the
/// order of operations that makes a stored message durable.
/// </summary>
/// <remarks>
/// Concurrency: every operation takes a pooled connection of its own. Readers run in parallel
/// (WAL gives each a snapshot); writers queue on one <see cref="SemaphoreSlim"/> and open their
/// transaction with BEGIN IMMEDIATE, so SQLITE_BUSY never reaches a caller. Body files are
/// written and fsynced before the writer lock is taken, so a slow client stream never holds it.
/// </remarks>
public sealed partial class SqliteMailStore : IMailStore
{
    private const int AllFlags = (int)(MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged | MessageFlags.Deleted | MessageFlags.Draft);

    private readonly string _dataDirectory;
    private readonly string _connectionString;
    private readonly BodyFiles _bodies;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly MaildropLocks _maildrops = new();
    private FileStream? _processLock;
    private volatile bool _disposed;

    private SqliteMailStore(string dataDirectory, ILogger log)
    {
        _dataDirectory = dataDirectory;
        _log = log;
        _bodies = new BodyFiles(Path.Combine(dataDirectory, "messages"), log);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "store.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="dataDirectory"/>: applies schema
    /// migrations, deletes writes a crash left in messages/tmp and body files no row refers to.
    /// </summary>
    public static Task<SqliteMailStore> OpenAsync(string dataDirectory, ILogger? log = null, CancellationToken ct = default) =>
        OpenAsync(dataDirectory, log, exclusive: true, ct);

    /// <summary>
    /// Opens the store for administration (domains, users) beside a running server: no process
    /// lock and no start-up sweep, which only the serving process may do. SQLite's WAL mode lets
    /// both processes use the database at once.
    /// </summary>
    public static Task<SqliteMailStore> OpenForAdministrationAsync(string dataDirectory, ILogger? log = null, CancellationToken ct = default) =>
        OpenAsync(dataDirectory, log, exclusive: false, ct);

    private static async Task<SqliteMailStore> OpenAsync(string dataDirectory, ILogger? log, bool exclusive, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var store = new SqliteMailStore(Path.GetFullPath(dataDirectory), log ?? NullLogger.Instance);

        // Start-up touches every body file name once; keep it off the caller's thread.
        try
        {
            await Task.Run(() => store.Initialize(exclusive, ct), ct).ConfigureAwait(false);
        }
        catch
        {
            store.ReleaseProcessLock();
            throw;
        }

        return store;
    }

    private void Initialize(bool exclusive, CancellationToken ct)
    {
        bool created = !Directory.Exists(_dataDirectory);
        if (created)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(_dataDirectory);
            }
            else
            {
                Directory.CreateDirectory(_dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (exclusive)
        {
            TakeProcessLock();
        }

        _bodies.EnsureLayout(_dataDirectory);
        ct.ThrowIfCancellationRequested();

        int foundVersion;
        using (var connection = OpenConnection())
        {
            // WAL is a property of the database file; set once, it persists.
            using (var wal = Command(connection, null, "PRAGMA journal_mode = WAL;"))
            {
                string mode = Convert.ToString(wal.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
                if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"The store database could not be switched to WAL mode (it reports '{mode}').");
                }
            }

            foundVersion = Schema.Migrate(connection);
        }

        RestrictDatabaseFile();
        if (foundVersion != Schema.CurrentVersion)
        {
            LogSchemaMigrated(foundVersion, Schema.CurrentVersion);
        }

        if (!exclusive)
        {
            LogOpened(_dataDirectory, Schema.CurrentVersion);
            return;
        }

        int tmpRemoved = _bodies.CleanTemporary();
        if (tmpRemoved > 0)
        {
            LogTemporaryFilesRemoved(tmpRemoved);
        }

        ct.ThrowIfCancellationRequested();
        SweepUnreferencedBodies();
        QuarantineDamagedBodies();
        LogOpened(_dataDirectory, Schema.CurrentVersion);
    }

    /// <summary>
    /// Removes blob rows nothing points at, then body files no blob row names. Both are left by a
    /// crash between commit and file deletion, or between rename and commit: never by success.
    /// </summary>
    private void SweepUnreferencedBodies()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        List<string> deadRows = [];
        using (var connection = OpenConnection())
        {
            using (var tx = connection.BeginTransaction(deferred: false))
            {
                using (var cmd = Command(connection, tx, """
                    DELETE FROM blobs
                    WHERE NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = blobs.id)
                      AND NOT EXISTS (SELECT 1 FROM queue WHERE blob_id = blobs.id)
                    RETURNING path;
                    """))
                {
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                    {
                        deadRows.Add(reader.GetString(0));
                    }
                }

                tx.Commit();
            }

            using var all = Command(connection, null, "SELECT path FROM blobs;");
            using var rows = all.ExecuteReader();
            while (rows.Read())
            {
                known.Add(rows.GetString(0));
            }
        }

        var orphans = _bodies.EnumerateBodies().Where(p => !known.Contains(p)).ToList();
        _bodies.Delete(orphans);
        if (orphans.Count > 0)
        {
            LogOrphanFilesRemoved(orphans.Count);
        }
    }

    /// <summary>
    /// One process per data folder: the open-time sweep deletes body files no committed row names,
    /// which would destroy another process's writes in flight; the maildrop lock is in-process too.
    /// FileShare.None is an exclusive flock on Unix, released by the kernel if the process dies.
    /// </summary>
    private void TakeProcessLock()
    {
        string path = Path.Combine(_dataDirectory, "store.lock");
        try
        {
            _processLock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"The data folder {_dataDirectory} is in use by another Postern process.", e);
        }
    }

    private void ReleaseProcessLock()
    {
        _processLock?.Dispose();
        _processLock = null;
    }

    private void RestrictDatabaseFile()
    {
        // Mail metadata and password hashes: owner only. SQLite gives the -wal and -shm files
        // the database file's permissions.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_dataDirectory, "store.db"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    // ---- locks

    /// <inheritdoc/>
    public IDisposable? TryLockMaildrop(long accountId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _maildrops.TryLock(accountId);
    }

    // ---- plumbing

    private SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();

        // Per-connection settings (foreign_keys comes from the connection string). FULL syncs the
        // WAL on every commit, which the durability contract needs.
        using var cmd = Command(connection, null, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;");
        cmd.ExecuteNonQuery();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>Runs a read on its own pooled connection; WAL lets many run at once.</summary>
    private Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken ct)
    {
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ct.ThrowIfCancellationRequested();
            using var connection = OpenConnection();
            return Task.FromResult(work(connection));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(ct);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction and commits it. Cancellation is
    /// honoured only while waiting for the writer lock; once the transaction runs, it finishes
    /// (commit or rollback), never half.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct, bool durable = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var connection = OpenConnection();
            if (!durable)
            {
                // Only for derived data (see WriteCacheAsync); OpenConnection sets FULL again on the next use.
                using var sync = Command(connection, null, "PRAGMA synchronous = NORMAL;");
                sync.ExecuteNonQuery();
            }

            using var tx = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE
            T result = work(connection, tx);
            tx.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>A JSON array of ids, bound as one parameter and expanded with json_each (no SQL built from values).</summary>
    private static string JsonArray<T>(IEnumerable<T> values)
        where T : IFormattable
    {
        var sb = new StringBuilder("[");
        foreach (var v in values)
        {
            if (sb.Length > 1)
            {
                sb.Append(',');
            }

            sb.Append(v.ToString(null, CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }

    /// <summary>Deletes the blob rows among <paramref name="candidates"/> that nothing refers to any more; returns their file paths.</summary>
    private static List<string> DeleteUnreferencedBlobs(SqliteConnection connection, SqliteTransaction tx, IReadOnlyCollection<long> candidates)
    {
        List<string> paths = [];
        if (candidates.Count == 0)
        {
            return paths;
        }

        using var cmd = Command(connection, tx, """
            DELETE FROM blobs
            WHERE id IN (SELECT value FROM json_each($ids))
              AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = blobs.id)
              AND NOT EXISTS (SELECT 1 FROM queue WHERE blob_id = blobs.id)
            RETURNING path;
            """);
        cmd.Parameters.AddWithValue("$ids", JsonArray(candidates));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            paths.Add(reader.GetString(0));
        }

        return paths;
    }

    private static long UnixSecondsNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Let a write in progress finish, then fold the WAL back into the database file.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            try
            {
                using var cmd = Command(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);");
                cmd.ExecuteNonQuery();
            }
            finally
            {
                SqliteConnection.ClearPool(connection);
            }
        }
        catch (SqliteException e)
        {
            LogCheckpointFailed(e.Message);
        }
        finally
        {
            ReleaseProcessLock();
            _writeLock.Release();
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Mail store opened in {Directory} (schema version {Version})")]
    private partial void LogOpened(string directory, int version);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Mail store schema upgraded from version {From} to {To}")]
    private partial void LogSchemaMigrated(int from, int to);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Removed {Count} unfinished message file(s) from messages/tmp (writes interrupted before they were acknowledged)")]
    private partial void LogTemporaryFilesRemoved(int count);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Removed {Count} message file(s) that no message refers to")]
    private partial void LogOrphanFilesRemoved(int count);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "Could not checkpoint the store database on shutdown: {Error}")]
    private partial void LogCheckpointFailed(string error);
}
