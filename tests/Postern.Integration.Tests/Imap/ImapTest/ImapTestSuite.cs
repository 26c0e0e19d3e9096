namespace Postern.Integration.Tests.Imap.ImapTest;

/// <summary>
/// Dovecot's imaptest and its scripted tests, as shipped in <c>shared/imaptest/</c>: a folder
/// beside the repository's folder (/work/shared next to /work/main, or next to a CI clone), found
/// by walking up from the test assembly. Each file in <c>tests/</c> that is not an <c>.mbox</c>
/// fixture is one script; <c>broken/</c> and dot files are not scripts (the suite's README).
/// </summary>
public static class ImapTestSuite
{
    /// <summary>The shared/imaptest folder, or null when no parent folder of the tests has one.</summary>
    public static string? Folder { get; } = Locate();

    public static string? Binary => Folder is null ? null : Path.Combine(Folder, "imaptest");

    public static string? ScriptFolder => Folder is null ? null : Path.Combine(Folder, "tests");

    /// <summary>Stands in for the list of scripts when the suite is not there, so the theory still has one case that says so.</summary>
    public const string Missing = "(imaptest not found)";

    /// <summary>Script names for the theory, sorted; <see cref="Missing"/> alone when the suite is absent.</summary>
    public static TheoryData<string> Scripts
    {
        get
        {
            var data = new TheoryData<string>();
            var folder = ScriptFolder;
            if (folder is null || !System.IO.Directory.Exists(folder))
            {
                data.Add(Missing);
                return data;
            }

            foreach (var path in System.IO.Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (!name.StartsWith('.') && !name.EndsWith(".mbox", StringComparison.Ordinal))
                {
                    data.Add(name);
                }
            }

            return data;
        }
    }

    /// <summary>
    /// The capabilities a script declares in its header (<c>capabilities: A B</c>, upper-cased):
    /// imaptest skips the script when the server lacks one of them. The header ends at the first
    /// empty line.
    /// </summary>
    public static IReadOnlyList<string> RequiredCapabilities(string script)
    {
        var required = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(ScriptFolder!, script)))
        {
            if (line.Length == 0)
            {
                break;
            }

            const string prefix = "capabilities:";
            if (line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                required.AddRange(line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToUpperInvariant()));
            }
        }

        return required;
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "imaptest");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
