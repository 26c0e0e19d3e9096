namespace Postern.Storage.Tests.Support;

/// <summary>A temporary folder per test class (xunit class fixture), deleted when the class is done.</summary>
public sealed class TempDirectory : IDisposable
{
    private int _next;

    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "postern-store-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A fresh, not yet existing data folder inside this one (one per test).</summary>
    public string NewDataDirectory() => System.IO.Path.Combine(Path, "data" + Interlocked.Increment(ref _next));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A store a failed test did not dispose may still hold a file; nothing to assert here.
        }
    }
}
