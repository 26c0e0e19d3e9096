using Postern.Smtp.Session;
using Postern.Storage;

namespace Postern.Smtp.Delivery;

/// <summary>Chooses the temporary reply for a failure to store a message.</summary>
internal static class StorageFailure
{
    /// <summary>452 4.3.1 when the disk (or the database) is full, otherwise 451 4.3.0; both ask the client to retry.</summary>
    public static Reply Reply(Exception? e) => IsDiskFull(e) ? Replies.DiskFull : Replies.StoreFailed;

    /// <summary>Whether <paramref name="e"/> or an exception inside it reports a full disk.</summary>
    public static bool IsDiskFull(Exception? e) => DiskFull.Is(e);
}
