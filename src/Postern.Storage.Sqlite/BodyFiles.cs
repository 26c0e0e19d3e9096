using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Postern.Storage.Sqlite;

/// <summary>A body file that is durably on disk but not yet referenced by any committed row.</summary>
/// <param name="RelativePath">Path under messages/, always "xx/&lt;32 hex&gt;.eml" (generated, never user input).</param>
/// <param name="Size">Length in bytes.</param>
internal readonly record struct StagedBody(string RelativePath, long Size);

/// <summary>
/// The message body files under messages/. Names are random ids only, so no mailbox or account
/// name ever reaches the file system. A write goes to messages/tmp first, is fsynced, renamed
/// into a two-hex-digit fan-out folder and that folder is fsynced; only then may the caller
/// commit the row that points at it.
/// </summary>
internal sealed partial class BodyFiles
{
    private const string Extension = ".eml";
    private const int CopyBufferSize = 81920;

    private readonly string _root;
    private readonly string _tmp;
    private readonly ILogger _log;

    // Fan-out folders whose own entry in messages/ is known to be durable. A writer that finds its
    // folder here may skip the parent fsync; one that creates it syncs messages/ first.
    private readonly ConcurrentDictionary<string, bool> _durableFolders = new(StringComparer.Ordinal);
    private int _syncWarningLogged;

    public BodyFiles(string messagesDirectory, ILogger log)
    {
        _root = messagesDirectory;
        _tmp = Path.Combine(messagesDirectory, "tmp");
        _log = log;
    }

    public string Root => _root;

    /// <summary>Creates messages/ and messages/tmp (owner-only on Unix) and syncs their entries.</summary>
    public void EnsureLayout(string dataDirectory)
    {
        bool created = CreatePrivateDirectory(_root);
        created |= CreatePrivateDirectory(_tmp);
        if (created)
        {
            SyncDirectory(dataDirectory);
            SyncDirectory(_root);
        }

        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            string name = Path.GetFileName(dir);
            if (IsFanOutName(name))
            {
                _durableFolders.TryAdd(name, true);
            }
        }
    }

    public string FullPath(string relativePath) => Path.Combine(_root, relativePath);

    /// <summary>
    /// Copies <paramref name="content"/> into a new body file and makes it durable. On any failure
    /// (including cancellation while copying) nothing is left behind.
    /// </summary>
    public async Task<StagedBody> WriteAsync(Stream content, CancellationToken ct)
    {
        string tmpPath = Path.Combine(_tmp, RandomId() + ".tmp");
        string? finalPath = null;
        try
        {
            long size = 0;
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(tmpPath, options))
            {
                byte[] buffer = new byte[CopyBufferSize];
                int n;
                while ((n = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    size += n;
                }

                // Data and inode to disk before the name can point at it.
                file.Flush(flushToDisk: true);
            }

            string id = RandomId();
            string folder = id[..2];
            string folderPath = Path.Combine(_root, folder);
            EnsureFolder(folder, folderPath);

            string relative = folder + "/" + id + Extension;
            finalPath = Path.Combine(folderPath, id + Extension);
            File.Move(tmpPath, finalPath, overwrite: false);
            SyncDirectory(folderPath);
            return new StagedBody(relative, size);
        }
        catch
        {
            TryDelete(tmpPath);
            if (finalPath is not null)
            {
                TryDelete(finalPath);
            }

            throw;
        }
    }

    /// <summary>Deletes body files whose rows are gone (after commit). Failures are logged, not thrown: the open-time sweep retries.</summary>
    public void Delete(IEnumerable<string> relativePaths)
    {
        foreach (var relative in relativePaths)
        {
            TryDelete(FullPath(relative));
        }
    }

    /// <summary>Deletes everything in messages/tmp: writes a crash interrupted before their row committed.</summary>
    public int CleanTemporary()
    {
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(_tmp))
        {
            if (TryDelete(file))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Relative paths of all body files in the fan-out folders.</summary>
    public IEnumerable<string> EnumerateBodies()
    {
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            string folder = Path.GetFileName(dir);
            if (!IsFanOutName(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*" + Extension))
            {
                yield return folder + "/" + Path.GetFileName(file);
            }
        }
    }

    private void EnsureFolder(string folder, string folderPath)
    {
        if (_durableFolders.ContainsKey(folder))
        {
            return;
        }

        CreatePrivateDirectory(folderPath);
        SyncDirectory(_root);
        _durableFolders.TryAdd(folder, true);
    }

    private void SyncDirectory(string path)
    {
        if (!DirectorySync.Flush(path) && OperatingSystem.IsLinux() && Interlocked.Exchange(ref _syncWarningLogged, 1) == 0)
        {
            LogDirectorySyncUnavailable();
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(Path.GetFileName(path), e.Message);
            return false;
        }
    }

    private static bool CreatePrivateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return true;
    }

    private static bool IsFanOutName(string name) => name.Length == 2 && Uri.IsHexDigit(name[0]) && Uri.IsHexDigit(name[1]);

    private static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Could not delete message file {File}: {Error}; it will be removed at the next start")]
    private partial void LogDeleteFailed(string file, string error);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Directory fsync is unavailable (libc not found); a power loss may lose recently acknowledged mail")]
    private partial void LogDirectorySyncUnavailable();
}
