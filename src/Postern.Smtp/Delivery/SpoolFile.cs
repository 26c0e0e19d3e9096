namespace Postern.Smtp.Delivery;

/// <summary>
/// A private temporary file that one DATA transfer is streamed into, so a message is never held
/// whole in memory. It is deleted on dispose whatever happened (DeleteOnClose plus an explicit delete
/// as a second line of defence).
/// </summary>
internal sealed class SpoolFile : IAsyncDisposable
{
    private readonly string _path;

    private SpoolFile(string path, FileStream stream)
    {
        _path = path;
        Stream = stream;
    }

    public FileStream Stream { get; }

    public static SpoolFile Create(string directory, string id)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"postern-smtp-{id}.tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
            BufferSize = 64 * 1024,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Mail is private: owner-only even if the spool folder is shared (e.g. /tmp).
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new SpoolFile(path, new FileStream(path, options));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Closing flushes what is still buffered; on a full disk that fails again. The content is
            // being thrown away, and a throw here would end the session before the 452 reached the client.
        }
        finally
        {
            // DeleteOnClose normally removed it already; File.Exists never throws.
            if (File.Exists(_path))
            {
                File.Delete(_path);
            }
        }
    }
}
