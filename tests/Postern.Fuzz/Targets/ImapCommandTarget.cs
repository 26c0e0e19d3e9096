using Postern.Imap.Parsing;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The pure IMAP command tokenizer (tag, name, atoms, quoted strings, literals, nested lists) and
/// the literal marker scanners the command reader uses, called directly with the server's limits.
/// </summary>
public sealed class ImapCommandTarget : IFuzzTarget
{
    private static readonly Postern.Imap.ImapOptions Options = new();

    public string Name => "imap-parser";

    public void Run(ReadOnlySpan<byte> input)
    {
        var outcome = ImapParser.Parse(input, Options.MaxLiteralSize, Options.MaxNestingDepth);
        if (outcome.Status == ParseStatus.Complete && (outcome.Command is null || outcome.Consumed is < 0 || outcome.Consumed > input.Length))
        {
            throw new InvalidOperationException($"Complete parse with command {outcome.Command?.Name ?? "null"} and Consumed {outcome.Consumed} of {input.Length}.");
        }

        LiteralMarker.TryFindAtEnd(input, out _, out _);
        for (int i = input.IndexOf((byte)'{'); i >= 0 && i < input.Length; i = input[(i + 1)..].IndexOf((byte)'{') is int next and >= 0 ? i + 1 + next : -1)
        {
            LiteralMarker.TryParseAt(input, i, out _, out _, out _, out _);
            AppendMarker.Strip(input[..i], out _, out _);
        }
    }
}
