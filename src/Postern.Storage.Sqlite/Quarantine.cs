using Microsoft.Extensions.Logging;

namespace Postern.Storage.Sqlite;

/// <summary>
/// The start-up check of body files against their rows. A file shorter or longer than its row
/// says (a disk that lost writes, an administrator's editor, a restored backup) is copied to
/// data/quarantine/ for inspection, logged, and its recorded size is set to what the file holds,
/// so IMAP sizes match the bytes served; a missing file is logged. Neither stops the server:
/// one damaged message must not take every mailbox offline. Dovecot does the same with a maildir
/// file whose size disagrees with its S= name or index: it logs, fixes its metadata and goes on.
/// Runs on every serving start, after the schema migration, so it sees the current tables.
/// </summary>
public sealed partial class SqliteMailStore
{
    /// <summary>Folder (under the data folder) where copies of damaged body files are kept.</summary>
    public const string QuarantineFolder = "quarantine";

    private void QuarantineDamagedBodies()
    {
        List<(long Id, string Path, long Size)> blobs = [];
        using (var connection = OpenConnection())
        {
            using var all = Command(connection, null, "SELECT id, path, size FROM blobs;");
            using var rows = all.ExecuteReader();
            while (rows.Read())
            {
                blobs.Add((rows.GetInt64(0), rows.GetString(1), rows.GetInt64(2)));
            }
        }

        List<(long Id, long Size)> resized = [];
        foreach (var (id, path, size) in blobs)
        {
            try
            {
                var file = new FileInfo(_bodies.FullPath(path));
                if (!file.Exists)
                {
                    LogBodyMissing(path, size);
                    continue;
                }

                if (file.Length == size)
                {
                    continue;
                }

                string copy = CopyToQuarantine(file);
                LogBodyQuarantined(path, size, file.Length, copy);
                resized.Add((id, file.Length));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogQuarantineFailed(path, e.Message);
            }
        }

        if (resized.Count == 0)
        {
            return;
        }

        using var write = OpenConnection();
        using var tx = write.BeginTransaction(deferred: false);
        foreach (var (id, size) in resized)
        {
            // The v3 mailbox counters follow messages by trigger on insert, delete and flags only, so
            // total_size is corrected here; the cached header block and ENVELOPE/BODYSTRUCTURE of the
            // blob described the old bytes and are dropped, to be rebuilt from the file.
            using var cmd = Command(write, tx, """
                UPDATE mailboxes SET total_size = total_size +
                    (SELECT COALESCE(SUM($size - m.size), 0) FROM messages m WHERE m.mailbox_id = mailboxes.id AND m.blob_id = $id)
                WHERE id IN (SELECT mailbox_id FROM messages WHERE blob_id = $id);
                UPDATE blobs SET size = $size WHERE id = $id;
                UPDATE messages SET size = $size WHERE blob_id = $id;
                DELETE FROM headers WHERE blob_id = $id;
                DELETE FROM structures WHERE blob_id = $id;
                """);
            cmd.Parameters.AddWithValue("$size", size);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    private string CopyToQuarantine(FileInfo file)
    {
        string folder = Path.Combine(_dataDirectory, QuarantineFolder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string target = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMddHHmmss}-{file.Name}");
        file.CopyTo(target, overwrite: true);
        return target;
    }

    [LoggerMessage(EventId = 530, Level = LogLevel.Error,
        Message = "Message file {File} holds {Actual} bytes but its record says {Expected}; copied to {Copy} and serving the {Actual} bytes it holds")]
    private partial void LogBodyQuarantined(string file, long expected, long actual, string copy);

    [LoggerMessage(EventId = 531, Level = LogLevel.Error, Message = "Message file {File} ({Expected} bytes) is missing; that message cannot be read")]
    private partial void LogBodyMissing(string file, long expected);

    [LoggerMessage(EventId = 532, Level = LogLevel.Error, Message = "Could not check message file {File}: {Error}")]
    private partial void LogQuarantineFailed(string file, string error);
}
