using Postern.Fuzz.Support;

namespace Postern.Fuzz.Targets;

/// <summary>
/// FETCH and UID FETCH arguments: sequence set, items with sections and partials, BINARY, CHANGEDSINCE and VANISHED modifiers. The input is the arguments: the real commands run it one after the other in a
/// logged-in session (INBOX selected, three messages), so both the parser and what its result drives are covered.
/// </summary>
public sealed class FetchTarget : IFuzzTarget
{
    public string Name => "fetch";

    public void Run(ReadOnlySpan<byte> input) =>
        ImapSessions.RunCommands(ImapStart.Selected, input, "FETCH", "UID FETCH");
}
