using Postern.Fuzz.Targets;

namespace Postern.Fuzz;

/// <summary>Every fuzz target; the replay tests check that each has a corpus and is replayed.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new SmtpCommandTarget(),
        new SmtpPathTarget(),
        new SmtpDataTarget(),
        new ImapCommandTarget(),
        new ImapSessionTarget(),
        new FetchTarget(),
        new SearchTarget(),
        new SortThreadTarget(),
        new ListTarget(),
        new ModifiedUtf7Target(),
        new Pop3Target(),
        new MimeTarget(),
        new ClientHelloTarget(),
        new ScramTarget(),
        new AutodiscoverTarget(),
        new ConfigTarget(),
    ];

    public static IFuzzTarget? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Runs <paramref name="target"/> once on an empty input before anything is timed: the first run
    /// pays for JIT compilation, the test certificate and the TLS library's start-up (about a
    /// second, much more on a loaded machine), which would otherwise count against the first input
    /// and look like a hang. Its outcome is not judged here; the judged runs come after.
    /// </summary>
    public static void WarmUp(IFuzzTarget target)
    {
        try
        {
            target.Run([]);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"warm-up of {target.Name} on an empty input: {e.GetType().Name}: {e.Message}");
        }
    }
}
