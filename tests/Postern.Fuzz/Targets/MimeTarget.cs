using System.Text;
using Postern.Imap.Commands;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Imap.Threading;
using Postern.Storage;

namespace Postern.Fuzz.Targets;

/// <summary>
/// A stored message as FETCH, SEARCH, SORT and THREAD read it: <see cref="ParsedMessage.Parse"/>
/// (MimeKit behind the server's caps: 10,000 parts, 64 KB header fields, depth 32), then ENVELOPE,
/// BODYSTRUCTURE, BODY[section] and BINARY[section] for the first parts, the header-only parse
/// the server uses for header searches, and the sort/thread facts. The input is the message.
/// </summary>
public sealed class MimeTarget : IFuzzTarget
{
    /// <summary>Sections asked of every message: whole-message texts, then the first parts at two levels.</summary>
    private static readonly BodySection[] Sections = BuildSections();

    /// <summary>BINARY items for the same parts; unknown encodings end in NO [UNKNOWN-CTE] (an ImapException).</summary>
    private static readonly List<FetchItem> BinaryItems = ParseItems("(BINARY[1] BINARY[2] BINARY[1.1] BINARY[2.1] BINARY[2.2] BINARY[3] BINARY.SIZE[1])");

    public string Name => "mime";

    public void Run(ReadOnlySpan<byte> input)
    {
        byte[] raw = input.ToArray();
        var pm = ParsedMessage.Parse(raw);
        EnvelopeWriter.Write(pm.Message);
        BodyStructureWriter.Write(pm, extensible: true);
        BodyStructureWriter.Write(pm, extensible: false);
        foreach (var section in Sections)
        {
            var bytes = SectionReader.Read(pm, section);
            if (section.Path.Length == 0 && section.Text == SectionText.None && !bytes.Span.SequenceEqual(raw))
            {
                // BODY[] must be the stored octets unchanged, whatever the parser made of them.
                throw new InvalidOperationException("BODY[] differs from the stored message.");
            }
        }

        try
        {
            BinaryFetch.Prepare(pm, BinaryItems);
        }
        catch (ImapException)
        {
            // NO [UNKNOWN-CTE]: the documented answer for an encoding that cannot be undone (RFC 3516 4.3).
        }

        var info = new MessageInfo(1, MessageFlags.None, DateTimeOffset.UnixEpoch, raw.Length);
        var facts = new[]
        {
            MessageFacts.Create(0, 1, info, pm.Message, withReferences: true),
            MessageFacts.Create(1, 2, info with { Uid = 2 }, ParsedMessage.Parse(raw.AsSpan(0, ParsedMessage.FindBodyStart(raw, 0, raw.Length)).ToArray()).Message, withReferences: true),
        };
        ThreadBuilder.References(facts);
        ThreadBuilder.OrderedSubject(facts);
    }

    private static BodySection[] BuildSections()
    {
        var specs = new List<string> { "", "HEADER", "TEXT", "HEADER.FIELDS (SUBJECT FROM TO)", "HEADER.FIELDS.NOT (RECEIVED)" };
        foreach (string part in (string[])["1", "2", "3", "1.1", "1.2", "2.1", "2.2", "2.1.1"])
        {
            specs.AddRange([part, part + ".MIME", part + ".HEADER", part + ".TEXT", part + ".HEADER.FIELDS (SUBJECT)"]);
        }

        return [.. specs.Select(spec => FetchParser.TryParseSection(spec, out var section, out string error)
            ? section!
            : throw new InvalidOperationException($"Section '{spec}': {error}"))];
    }

    private static List<FetchItem> ParseItems(string list)
    {
        var outcome = ImapParser.Parse(Encoding.ASCII.GetBytes($"t FETCH 1 {list}\r\n"), 1024, 8);
        return FetchParser.TryParse(outcome.Command!.Args[1], out var items, out string error)
            ? items
            : throw new InvalidOperationException(error);
    }
}
