using Postern.Fuzz.Support;

namespace Postern.Fuzz.Targets;

/// <summary>
/// SORT and THREAD arguments: sort criteria or threading algorithm, charset, search criteria. Both commands get the same input, so one seed reaches the shared search criteria parser from either. The input is the arguments: the real commands run it one after the other in a
/// logged-in session (INBOX selected, three messages), so both the parser and what its result drives are covered.
/// </summary>
public sealed class SortThreadTarget : IFuzzTarget
{
    public string Name => "sort-thread";

    public void Run(ReadOnlySpan<byte> input) =>
        ImapSessions.RunCommands(ImapStart.Selected, input, "SORT", "THREAD", "UID SORT", "UID THREAD");
}
