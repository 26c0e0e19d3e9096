namespace Postern.Fuzz;

/// <summary>
/// One fuzz target: feeds bytes to one parser (or one protocol session) of Postern. A target lets
/// through only the rejection the server itself expects from that code (a parse-error result, or
/// the one exception type the caller catches); anything else escapes and afl++ records a crash.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name given to run.sh and Program, and the folder under Corpus/ and Regressions/.</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}
