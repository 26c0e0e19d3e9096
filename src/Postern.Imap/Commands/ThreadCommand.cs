using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Imap.Threading;

namespace Postern.Imap.Commands;

/// <summary>THREAD and UID THREAD (RFC 5256 3) with ORDEREDSUBJECT and REFERENCES; reads header blocks only.</summary>
public sealed class ThreadCommand : IImapCommand
{
    private readonly bool _byUid;

    public ThreadCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        if (args.Count < 3 || args[0].Kind != ImapTokenKind.Atom)
        {
            throw ImapException.Bad("THREAD needs an algorithm, a charset and search criteria");
        }

        bool references = args[0].Text.ToUpperInvariant() switch
        {
            "REFERENCES" => true,
            "ORDEREDSUBJECT" => false,
            _ => throw ImapException.Bad("Unsupported threading algorithm"),
        };
        SearchEngine.CheckCharset(Arguments.AString(args[1], "a charset"));
        var key = SearchEngine.Parse(session, [.. args.Skip(2)]);
        var box = session.RequireSelected;
        var facts = new List<MessageFacts>();
        await SearchEngine.RunAsync(
            session,
            key,
            withHeaders: true,
            (i, pm) => facts.Add(MessageFacts.Create(i, _byUid ? box.Messages[i].Uid : (uint)(i + 1), box.Messages[i], pm?.Message, references)),
            ct).ConfigureAwait(false);

        if (key.UsesModSeq)
        {
            session.TurnOnCondStore();
        }

        string threads = references ? ThreadBuilder.References(facts) : ThreadBuilder.OrderedSubject(facts);
        session.Untagged(threads.Length == 0 ? "THREAD" : "THREAD " + threads);
        session.Ok(command.Tag, (_byUid ? "UID " : "") + "THREAD completed");
    }
}
