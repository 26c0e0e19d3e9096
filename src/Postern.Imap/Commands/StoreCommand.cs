using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>STORE and UID STORE (RFC 3501 6.4.6, 6.4.8): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT; system flags and keywords.</summary>
public sealed class StoreCommand : IImapCommand
{
    private readonly bool _byUid;

    public StoreCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        if (command.Args.Count < 3)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        var set = Arguments.Set(command.Args[0]);
        var itemToken = command.Args[1];
        string item = itemToken.Kind == ImapTokenKind.Atom ? itemToken.Text.ToUpperInvariant() : "";
        bool silent = item.EndsWith(".SILENT", StringComparison.Ordinal);
        if (silent)
        {
            item = item[..^7];
        }

        FlagChange change = item switch
        {
            "FLAGS" => FlagChange.Replace,
            "+FLAGS" => FlagChange.Add,
            "-FLAGS" => FlagChange.Remove,
            _ => throw ImapException.Bad("Expected FLAGS, +FLAGS or -FLAGS"),
        };

        // The flags come as a list or, as RFC 3501 9 also allows, as flags separated by spaces.
        var flagTokens = command.Args.Count == 3 && command.Args[2].Kind == ImapTokenKind.List
            ? command.Args[2].Items
            : command.Args.Skip(2).ToList();
        var keywords = new List<string>();
        var flags = Flags.Parse(flagTokens, keywords);

        var box = session.RequireSelected;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        var uids = MessageSelection.Uids(box, set, _byUid);
        if (uids.Count > 0)
        {
            var update = await session.Store.SetFlagsAsync(box.Info.Id, uids, flags, keywords, change, null, ct).ConfigureAwait(false);
            box.AnnounceKeywords(update.Changed, session.Untagged);
            foreach (var info in update.Changed)
            {
                box.Update(info);
                int index = box.IndexOfUid(info.Uid);
                if (!silent && index >= 0)
                {
                    // The new flags as stored (RFC 3501 6.4.6); UID STORE replies carry the UID (RFC 3501 6.4.8).
                    session.Untagged($"{index + 1} FETCH (FLAGS {ImapText.Flags(info)}{(_byUid ? " UID " + info.Uid : "")})");
                }
            }
        }

        session.Ok(command.Tag, (_byUid ? "UID " : "") + "STORE completed");
    }
}
