using System.Data.Common;
using Postern.Smtp.Session;

namespace Postern.Smtp.Delivery;

/// <summary>Chooses the temporary reply for a failure to store a message.</summary>
internal static class StorageFailure
{
    private const int Enospc = 28;   // Linux/macOS errno: no space left on device
    private const int Edquot = 122;  // Linux errno: disk quota exceeded
    private const int SqliteFull = 13; // SQLITE_FULL: the database could not grow
    private const int WindowsDiskFull = unchecked((int)0x80070070); // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <summary>452 4.3.1 when the disk (or the database) is full, otherwise 451 4.3.0; both ask the client to retry.</summary>
    public static Reply Reply(Exception? e) => IsDiskFull(e) ? Replies.DiskFull : Replies.StoreFailed;

    /// <summary>Whether <paramref name="e"/> or an exception inside it reports a full disk.</summary>
    public static bool IsDiskFull(Exception? e)
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
