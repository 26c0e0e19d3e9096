using System.Text;
using Postern.Imap.Parsing;

namespace Postern.Fuzz.Targets;

/// <summary>
/// Modified UTF-7 mailbox names (RFC 3501 5.1.3) both ways, with a round-trip check as Garnet's
/// parser targets re-check what they accept: the input read as a wire name must decode or be
/// refused, and every name (decoded, or the input read as UTF-8) must survive Encode then TryDecode.
/// </summary>
public sealed class ModifiedUtf7Target : IFuzzTarget
{
    public string Name => "mutf7";

    public void Run(ReadOnlySpan<byte> input)
    {
        // IMAP mailbox names arrive as astrings: the decoder sees them as text, one char per octet.
        if (ModifiedUtf7.TryDecode(Encoding.Latin1.GetString(input), out string decoded))
        {
            RoundTrip(decoded);
        }

        RoundTrip(Encoding.UTF8.GetString(input));
    }

    private static void RoundTrip(string name)
    {
        string wire = ModifiedUtf7.Encode(name);
        if (!ModifiedUtf7.TryDecode(wire, out string back) || back != name)
        {
            throw new InvalidOperationException($"Modified UTF-7 round trip failed: '{name}' -> '{wire}'.");
        }
    }
}
