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
}
