using Postern.Fuzz.Support;

namespace Postern.Fuzz.Targets;

/// <summary>
/// LIST and LSUB arguments: selection options, reference, patterns (turned into matchers), RETURN options with STATUS. The input is the arguments: the real commands run it one after the other in a
/// logged-in session (a small folder tree, nothing selected), so both the parser and what its result drives are covered.
/// </summary>
public sealed class ListTarget : IFuzzTarget
{
    public string Name => "list";

    public void Run(ReadOnlySpan<byte> input) =>
        ImapSessions.RunCommands(ImapStart.Authenticated, input, "LIST", "LSUB");
}
