using System.Data.Common;

namespace Postern.Storage;

/// <summary>
/// Recognises "no space left" in a storage exception, so every protocol can give the temporary
/// answer that tells the client to retry (SMTP 452 4.3.1, IMAP NO [OVERQUOTA]) instead of failing.
/// </summary>
public static class DiskFull
{
    private const int Enospc = 28;   // Linux/macOS errno: no space left on device
    private const int Edquot = 122;  // Linux errno: disk quota exceeded
    private const int SqliteFull = 13; // SQLITE_FULL: the database could not grow
    private const int WindowsDiskFull = unchecked((int)0x80070070); // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <summary>Whether <paramref name="e"/> or an exception inside it reports a full disk.</summary>
    public static bool Is(Exception? e)
    {
        for (int depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            // .NET on Unix puts the errno in HResult of the IOException it throws.
            if (e is IOException && e.HResult is Enospc or Edquot or WindowsDiskFull or WindowsHandleDiskFull)
            {
                return true;
            }

            // SqliteException keeps SQLite's result code in SqliteErrorCode (its HResult is a generic
            // E_FAIL); read it by name, since this project does not depend on the SQLite provider.
            if (e is DbException db && db.GetType().GetProperty("SqliteErrorCode")?.GetValue(db) is int code && (code & 0xFF) == SqliteFull)
            {
                return true;
            }
        }

        return false;
    }
}
