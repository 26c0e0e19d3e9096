using Postern.Fuzz.Support;

namespace Postern.Fuzz.Targets;

/// <summary>
/// SEARCH and UID SEARCH criteria: ESEARCH RETURN options, nested OR/NOT, dates, sizes, CHARSET, MODSEQ, saved results ($). The input is the arguments: the real commands run it one after the other in a
/// logged-in session (INBOX selected, three messages), so both the parser and what its result drives are covered.
/// </summary>
public sealed class SearchTarget : IFuzzTarget
{
    public string Name => "search";

    public void Run(ReadOnlySpan<byte> input) =>
        ImapSessions.RunCommands(ImapStart.Selected, input, "SEARCH", "UID SEARCH");
}
