namespace Postern.Fuzz.Tests;

/// <summary>The corpus and regression files copied beside the tests: Corpus/TARGET/* and Regressions/TARGET/*.</summary>
public static class FuzzInputs
{
    public static readonly string[] Kinds = ["Corpus", "Regressions"];

    public static string Folder(string kind) => Path.Combine(AppContext.BaseDirectory, kind);

    /// <summary>Every input as (target name, "Kind/target/file"), the path relative to the output folder.</summary>
    public static IEnumerable<(string Target, string Path)> All() =>
        from kind in Kinds
        where Directory.Exists(Folder(kind))
        from dir in Directory.GetDirectories(Folder(kind))
        from file in Directory.GetFiles(dir)
        where System.IO.Path.GetFileName(file) != "README.md"
        orderby file
        select (System.IO.Path.GetFileName(dir), System.IO.Path.GetRelativePath(AppContext.BaseDirectory, file));
}
