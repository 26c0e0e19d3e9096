using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// STORE and UID STORE (RFC 3501 6.4.6, 6.4.8): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT;
/// system flags and keywords; the UNCHANGEDSINCE modifier of RFC 7162 3.1.3.
/// </summary>
public sealed class StoreCommand : IImapCommand
{
    private readonly bool _byUid;

    public StoreCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var args = command.Args;
        ulong? unchangedSince = null;
        if (args.Count > 1 && args[1].Kind == ImapTokenKind.List)
        {
            unchangedSince = ParseModifiers(args[1]);
            args = [args[0], .. args.Skip(2)];
        }

        if (args.Count < 3)
        {
            throw ImapException.Bad("Wrong number of arguments");
        }

        var set = Arguments.Set(args[0]);
        var itemToken = args[1];
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
        var flagTokens = args.Count == 3 && args[2].Kind == ImapTokenKind.List
            ? args[2].Items
            : args.Skip(2).ToList();
        var keywords = new List<string>();
        var flags = Flags.Parse(flagTokens, keywords);

        var box = session.RequireSelected;
        if (box.ReadOnly)
        {
            throw ImapException.No("[READ-ONLY] Mailbox is read-only");
        }

        if (unchangedSince is not null)
        {
            // A CONDSTORE-enabling command (RFC 7162 3.1).
            session.TurnOnCondStore();
        }

        bool condStore = session.IsCondStore;
        var uids = MessageSelection.Uids(box, set, _byUid);
        var failed = new List<uint>();
        if (uids.Count > 0)
        {
            var update = await session.Store.SetFlagsAsync(box.Info.Id, uids, flags, keywords, change, unchangedSince, ct).ConfigureAwait(false);
            box.AnnounceKeywords(update.Changed, session.Untagged);
            foreach (var info in update.Changed)
            {
                box.Update(info);
                int index = box.IndexOfUid(info.Uid);
                if (index < 0)
                {
                    continue;
                }

                if (!silent)
                {
                    // The new flags as stored (RFC 3501 6.4.6); UID STORE replies carry the UID
                    // (RFC 3501 6.4.8), and so does every FETCH under CONDSTORE (RFC 7162 3.1).
                    session.Untagged($"{index + 1} FETCH ({box.FlagData(info, condStore, _byUid || condStore)})");
                }
                else if (condStore)
                {
                    // .SILENT still reports the new MODSEQ so the client's cache stays right (RFC 7162 3.1.3).
                    session.Untagged($"{index + 1} FETCH (UID {info.Uid} MODSEQ ({info.ModSeq}))");
                }
            }

            failed.AddRange(update.Failed);
        }

        string done = (_byUid ? "UID " : "") + "STORE completed";
        if (failed.Count > 0)
        {
            // RFC 7162 3.1.3: the messages UNCHANGEDSINCE refused, as UIDs for UID STORE, else as numbers.
            var numbers = _byUid ? failed : failed.Select(u => (uint)(box.IndexOfUid(u) + 1)).Where(n => n > 0);
            session.Ok(command.Tag, "[MODIFIED " + UidSetText.Format(numbers) + "] Conditional " + done);
            return;
        }

        session.Ok(command.Tag, done);
    }

    /// <summary>store-modifiers (RFC 4466 2.5): only UNCHANGEDSINCE mod-sequence-valzer (RFC 7162 3.1.3).</summary>
    private static ulong ParseModifiers(ImapToken list)
    {
        var items = list.Items;
        if (items.Count != 2 || items[0].Kind != ImapTokenKind.Atom || !items[0].Text.Equals("UNCHANGEDSINCE", StringComparison.OrdinalIgnoreCase)
            || !SelectParameters.TryNumber(items[1], out ulong value))
        {
            throw ImapException.Bad("Expected (UNCHANGEDSINCE mod-sequence)");
        }

        return value;
    }
}
