using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>STORE and UID STORE (RFC 3501 6.4.6, 6.4.8): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT.</summary>
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
        var flags = MessageFlags.None;
        foreach (var t in flagTokens)
        {
            if (t.Kind != ImapTokenKind.Atom)
            {
                throw ImapException.Bad("Invalid flag");
            }

            if (ImapText.ParseFlag(t.Text) is { } f)
            {
                flags |= f;
            }
            else if (t.Text.StartsWith('\\') && !t.Text.Equals("\\Recent", StringComparison.OrdinalIgnoreCase))
            {
                throw ImapException.Bad("Invalid system flag");
            }

            // Keywords (and \Recent, which clients may not set) are not stored yet; they are ignored.
        }

        var box = session.RequireSelected;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        var ranges = set.Resolve(_byUid ? box.MaxUid : (uint)box.Messages.Count);
        var uids = new List<uint>();
        for (int i = 0; i < box.Messages.Count; i++)
        {
            if (SequenceSet.Contains(ranges, _byUid ? box.Messages[i].Uid : (uint)(i + 1)))
            {
                uids.Add(box.Messages[i].Uid);
            }
        }

        if (uids.Count > 0)
        {
            var changed = await session.Store.SetFlagsAsync(box.Info.Id, uids, flags, change, ct).ConfigureAwait(false);
            foreach (var info in changed)
            {
                box.Update(info);
                int index = box.IndexOfUid(info.Uid);
                if (!silent && index >= 0)
                {
                    // The new flags as stored (RFC 3501 6.4.6); UID STORE replies carry the UID (RFC 3501 6.4.8).
                    session.Untagged($"{index + 1} FETCH (FLAGS {ImapText.Flags(info.Flags)}{(_byUid ? " UID " + info.Uid : "")})");
                }
            }
        }

        session.Ok(command.Tag, (_byUid ? "UID " : "") + "STORE completed");
    }
}
