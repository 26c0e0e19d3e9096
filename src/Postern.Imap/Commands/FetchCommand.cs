using System.Buffers;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8), with MODSEQ, CHANGEDSINCE and VANISHED (RFC 7162 3.1.4, 3.1.5, 3.2.6).</summary>
public sealed class FetchCommand : IImapCommand
{
    private readonly bool _byUid;

    public FetchCommand(bool byUid) => _byUid = byUid;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 2, 3);
        var set = Arguments.Set(command.Args[0]);
        if (!FetchParser.TryParse(command.Args[1], out var items, out string error))
        {
            throw ImapException.Bad(error);
        }

        var modifiers = command.Args.Count == 3 ? FetchModifiers.Parse(command.Args[2]) : FetchModifiers.None;
        if (modifiers.Vanished && (!_byUid || !session.IsQResync))
        {
            // RFC 7162 3.2.6: only UID FETCH, and only once QRESYNC is enabled.
            throw ImapException.Bad("VANISHED needs UID FETCH and ENABLE QRESYNC");
        }

        if (modifiers.ChangedSince is not null || items.Any(i => i.Kind == FetchKind.ModSeq))
        {
            // CONDSTORE-enabling (RFC 7162 3.1); CHANGEDSINCE answers always carry MODSEQ (3.1.4.1).
            session.TurnOnCondStore();
        }

        bool condStore = session.IsCondStore;
        if (condStore && items.Any(i => i.Kind == FetchKind.Flags || i.SetsSeen))
        {
            // Every FETCH response with flags carries UID and MODSEQ under CONDSTORE (RFC 7162 3.1).
            AddIfMissing(items, FetchKind.Uid);
            AddIfMissing(items, FetchKind.ModSeq);
        }

        if (modifiers.ChangedSince is not null)
        {
            AddIfMissing(items, FetchKind.ModSeq);
        }

        // UID FETCH always reports the UID (RFC 3501 6.4.8).
        if (_byUid && !items.Any(i => i.Kind == FetchKind.Uid))
        {
            items.Insert(0, new FetchItem(FetchKind.Uid));
        }

        var box = session.RequireSelected;
        var ranges = set.Resolve(_byUid ? box.MaxUid : (uint)box.Messages.Count);
        if (modifiers.Vanished)
        {
            await SendVanishedAsync(session, box, set, modifiers.ChangedSince!.Value, ct).ConfigureAwait(false);
        }

        // Messages can only change under us at NOOP/CHECK/EXPUNGE, so the index loop is stable.
        for (int i = 0; i < box.Messages.Count; i++)
        {
            var msg = box.Messages[i];
            if (!SequenceSet.Contains(ranges, _byUid ? msg.Uid : (uint)(i + 1)))
            {
                continue;
            }

            if (modifiers.ChangedSince is { } since && msg.ModSeq <= since)
            {
                continue;
            }

            await FetchOneAsync(session, box, i + 1, msg, items, ct).ConfigureAwait(false);
        }

        // Structures parsed in this FETCH go to the store's cache for the next session.
        await session.FlushStructuresAsync(ct).ConfigureAwait(false);
        session.Ok(command.Tag, (_byUid ? "UID " : "") + "FETCH completed");
    }

    private static void AddIfMissing(List<FetchItem> items, FetchKind kind)
    {
        if (!items.Any(i => i.Kind == kind))
        {
            items.Add(new FetchItem(kind));
        }
    }

    /// <summary>
    /// "VANISHED (EARLIER)" for UIDs of the set expunged after <paramref name="since"/> (RFC 7162 3.2.6).
    /// "*" reaches up to the highest expunged UID, so messages expunged from the end are reported too.
    /// </summary>
    private static async Task SendVanishedAsync(ImapSession session, SelectedMailbox box, SequenceSet set, ulong since, CancellationToken ct)
    {
        var gone = await session.Store.ExpungedSinceAsync(box.Info.Id, since, ct).ConfigureAwait(false);
        if (gone.Count == 0)
        {
            return;
        }

        var ranges = set.Resolve(Math.Max(box.MaxUid, gone.Max()));
        // A UID still in the view is reported at the next refresh, with the numbering it needs.
        var vanished = gone.Where(u => SequenceSet.Contains(ranges, u) && box.IndexOfUid(u) < 0).ToList();
        if (vanished.Count > 0)
        {
            session.Untagged("VANISHED (EARLIER) " + UidSetText.Format(vanished));
        }
    }

    private static async Task FetchOneAsync(ImapSession session, SelectedMailbox box, int msn, MessageInfo msg, List<FetchItem> items, CancellationToken ct)
    {
        var connection = session.Connection;
        bool flagsAdded = false;
        if (!box.ReadOnly && !msg.Flags.HasFlag(MessageFlags.Seen) && items.Any(i => i.SetsSeen))
        {
            // Reading a body sets \Seen, and the response then carries FLAGS (RFC 3501 6.4.5).
            var changed = await session.Store.SetFlagsAsync(box.Info.Id, [msg.Uid], MessageFlags.Seen, FlagChange.Add, ct).ConfigureAwait(false);
            foreach (var c in changed)
            {
                box.Update(c);
                msg = c;
            }

            flagsAdded = !items.Any(i => i.Kind == FetchKind.Flags);
        }

        bool needsParse = items.Any(NeedsParse);
        bool needsStructure = items.Any(i => i.Kind is FetchKind.Envelope or FetchKind.BodyStructure or FetchKind.Body);
        ParsedMessage? pm = null;
        CachedStructure? structure = null;
        if (needsParse)
        {
            pm = await MessageLoader.LoadAsync(session, msg.Uid, ct).ConfigureAwait(false);
            if (pm is null)
            {
                // Expunged by someone else since we last looked; it is reported at the next NOOP.
                return;
            }
        }

        // Decoded before the response starts, so an unknown encoding can still be a tagged NO (RFC 3516 4.3).
        var binary = BinaryFetch.Prepare(pm, items);
        if (needsStructure)
        {
            // From the session or store cache when another session computed it; parses only on a miss.
            structure = await MessageLoader.StructureAsync(session, msg.Uid, pm, ct).ConfigureAwait(false);
            if (structure is null)
            {
                return; // expunged meanwhile, as above
            }
        }

        connection.Write($"* {msn} FETCH (");
        bool first = true;
        void Sep()
        {
            if (!first)
            {
                connection.Write(" "u8);
            }

            first = false;
        }

        foreach (var item in items)
        {
            Sep();
            switch (item.Kind)
            {
                case FetchKind.Flags:
                    connection.Write("FLAGS " + box.Flags(msg));
                    break;
                case FetchKind.Uid:
                    connection.Write("UID " + msg.Uid);
                    break;
                case FetchKind.ModSeq:
                    connection.Write("MODSEQ (" + msg.ModSeq + ")");
                    break;
                case FetchKind.InternalDate:
                    connection.Write("INTERNALDATE " + ImapText.DateTime(msg.InternalDate));
                    break;
                case FetchKind.Rfc822Size:
                    connection.Write("RFC822.SIZE " + msg.Size);
                    break;
                case FetchKind.Envelope:
                    connection.Write("ENVELOPE " + structure!.Envelope);
                    break;
                case FetchKind.BodyStructure:
                    connection.Write("BODYSTRUCTURE " + structure!.BodyStructure);
                    break;
                case FetchKind.Body:
                    connection.Write("BODY " + structure!.Body);
                    break;
                case FetchKind.Rfc822:
                    connection.Write("RFC822 ");
                    await WriteWholeAsync(session, box, msg, null, 0, ct).ConfigureAwait(false);
                    break;
                case FetchKind.Rfc822Header:
                    connection.Write("RFC822.HEADER ");
                    WriteLiteral(connection, SectionReader.Read(pm!, new BodySection([], SectionText.Header, [])).Span);
                    break;
                case FetchKind.Rfc822Text:
                    connection.Write("RFC822.TEXT ");
                    WriteLiteral(connection, SectionReader.Read(pm!, new BodySection([], SectionText.Text, [])).Span);
                    break;
                case FetchKind.Binary or FetchKind.BinarySize:
                    await BinaryFetch.WriteAsync(session, box, msg, item, binary, ct).ConfigureAwait(false);
                    break;
                case FetchKind.Section:
                {
                    var section = item.Section!;
                    // The response names the section without PEEK and with only the partial's origin (RFC 3501 7.4.2).
                    connection.Write("BODY[" + section.Spec + "]" + (item.PartialStart is { } s ? "<" + s + ">" : "") + " ");
                    if (IsWhole(section))
                    {
                        await WriteWholeAsync(session, box, msg, item.PartialStart, item.PartialCount, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        var data = SectionReader.Read(pm!, section);
                        WriteLiteral(connection, Partial(data.Span, item.PartialStart, item.PartialCount));
                    }

                    break;
                }
            }
        }

        if (flagsAdded)
        {
            Sep();
            connection.Write("FLAGS " + box.Flags(msg));
        }

        connection.Write(")\r\n"u8);
    }

    private static bool IsWhole(BodySection section) => section.Path.Length == 0 && section.Text == SectionText.None;

    /// <summary>Whether an item needs the message in memory (every section but the whole message, which is streamed).</summary>
    private static bool NeedsParse(FetchItem item) => item.Kind switch
    {
        FetchKind.Rfc822Header or FetchKind.Rfc822Text => true,
        FetchKind.Section => !IsWhole(item.Section!),
        FetchKind.Binary or FetchKind.BinarySize => BinaryFetch.NeedsParse(item),
        _ => false,
    };

    /// <summary>&lt;start.count&gt;: octets from start, at most count; empty when start is past the end (RFC 3501 6.4.5).</summary>
    private static ReadOnlySpan<byte> Partial(ReadOnlySpan<byte> data, long? start, long count)
    {
        if (start is not { } s)
        {
            return data;
        }

        if (s >= data.Length)
        {
            return [];
        }

        return data.Slice((int)s, (int)Math.Min(count, data.Length - s));
    }

    private static void WriteLiteral(Postern.Net.MailConnection connection, ReadOnlySpan<byte> data)
    {
        connection.Write("{" + data.Length + "}\r\n");
        connection.Write(data);
    }

    /// <summary>
    /// Streams the stored octets as a literal, in chunks, without holding the message in memory;
    /// <paramref name="literal8"/> writes "~{n}" for BINARY[] (RFC 3516: an APPENDed literal8 may hold NUL).
    /// </summary>
    internal static async Task WriteWholeAsync(ImapSession session, SelectedMailbox box, MessageInfo msg, long? start, long count, CancellationToken ct, bool literal8 = false)
    {
        string open = literal8 ? "~{" : "{";
        var connection = session.Connection;
        var stream = await session.Store.OpenMessageAsync(box.Info.Id, msg.Uid, ct).ConfigureAwait(false);
        if (stream is null)
        {
            // Gone since the last NOOP: the literal must still be well-formed.
            connection.Write(open + "0}\r\n");
            return;
        }

        await using (stream.ConfigureAwait(false))
        {
            // The literal length must be exact: trust the stream's length when it has one.
            long size = stream.CanSeek ? stream.Length : msg.Size;
            long from = start is { } s ? Math.Min(s, size) : 0;
            long length = start is null ? size : Math.Min(count, size - from);
            connection.Write(open + length + "}\r\n");
            if (from > 0)
            {
                if (stream.CanSeek)
                {
                    stream.Seek(from, SeekOrigin.Begin);
                }
                else
                {
                    await SkipAsync(stream, from, ct).ConfigureAwait(false);
                }
            }

            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                long left = length;
                while (left > 0)
                {
                    int n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        // The body is shorter than its recorded size: pad so the protocol stays in step.
                        buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)).Fill((byte)' ');
                        n = (int)Math.Min(buffer.Length, left);
                    }

                    await connection.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    left -= n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (count > 0)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                count -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
