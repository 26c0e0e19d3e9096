namespace Postern.Integration.Tests.Support;

/// <summary>Files of this repository (the checkout the tests were built from), for tests that check them.</summary>
public static class Repository
{
    /// <summary>The folder holding Postern.slnx, found upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Postern.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Postern.slnx is in no folder above " + AppContext.BaseDirectory);
    }
}
