using Postern.Imap.Mime;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>Loads one message (never a whole mailbox) for parsing: ENVELOPE, BODYSTRUCTURE, sections, SEARCH.</summary>
internal static class MessageLoader
{
    public static async Task<ParsedMessage?> LoadAsync(ImapSession session, uint uid, CancellationToken ct)
    {
        var box = session.RequireSelected;
        var stream = await session.Store.OpenMessageAsync(box.Info.Id, uid, ct).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return ParsedMessage.Parse(buffer.ToArray());
        }
    }

    /// <summary>Messages read ahead per store query (header blocks, cached structures).</summary>
    private const int BatchSize = 128;

    /// <summary>
    /// Loads only the header block of a message, for searches on header fields: most of a message
    /// is its body, and reading and MIME-parsing it is wasted work there. The store serves it from
    /// its header cache; a miss reads ahead the next messages of the view in one batch, so a SEARCH
    /// over the mailbox makes one store query per batch, not one per message.
    /// </summary>
    public static async Task<ParsedMessage?> LoadHeaderAsync(ImapSession session, uint uid, CancellationToken ct) =>
        await ReadHeaderAsync(session, uid, ct).ConfigureAwait(false) is { } header ? ParsedMessage.Parse(header.ToArray()) : null;

    /// <summary>The raw header block behind <see cref="LoadHeaderAsync"/>, unparsed; null if the message is gone.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadHeaderAsync(ImapSession session, uint uid, CancellationToken ct)
    {
        var box = session.RequireSelected;
        if (!box.TryTakeHeader(uid, out var header))
        {
            int i = box.IndexOfUid(uid);
            List<uint> batch = i < 0
                ? [uid]
                : box.Messages.GetRange(i, Math.Min(BatchSize, box.Messages.Count - i)).ConvertAll(m => m.Uid);
            var read = new Dictionary<uint, ReadOnlyMemory<byte>>(batch.Count);
            await foreach (var (u, h) in session.Store.ReadHeadersAsync(box.Info.Id, batch, ct).ConfigureAwait(false))
            {
                read[u] = h;
            }

            box.SetHeaders(read);
            if (!box.TryTakeHeader(uid, out header))
            {
                return null; // expunged by someone else; reported at the next NOOP
            }
        }

        return header;
    }

    /// <summary>
    /// Moves structures of the given messages from the store's cache into the session cache with one
    /// query, so <see cref="SelectedMailbox.TryGetCached"/> finds them without parsing anything.
    /// FETCH may call it before its loop; <see cref="StructureAsync"/> does it for the messages ahead.
    /// </summary>
    public static async Task PrefetchStructuresAsync(ImapSession session, IReadOnlyList<uint> uids, CancellationToken ct)
    {
        var box = session.RequireSelected;
        for (int start = 0; start < uids.Count; start += BatchSize)
        {
            List<uint> wanted = [];
            for (int k = start; k < Math.Min(uids.Count, start + BatchSize); k++)
            {
                if (!box.WasProbed(uids[k]) && !box.TryGetCached(uids[k], out _))
                {
                    wanted.Add(uids[k]);
                }
            }

            if (wanted.Count == 0)
            {
                continue;
            }

            var found = await session.Store.GetCachedStructuresAsync(box.Info.Id, wanted, ct).ConfigureAwait(false);
            box.CacheMany(found.Select(f => KeyValuePair.Create(f.Key, new CachedStructure(f.Value.Envelope, f.Value.BodyStructure, f.Value.Body))), found.Count);
            box.MarkProbed(wanted);
        }
    }

    /// <summary>
    /// ENVELOPE, BODYSTRUCTURE and BODY of a message: from the session cache, else from the store's
    /// cache (read ahead for the next messages of the view), else a fresh parse that is then handed
    /// to the store's cache in batches.
    /// </summary>
    public static async Task<CachedStructure?> StructureAsync(ImapSession session, uint uid, ParsedMessage? loaded, CancellationToken ct)
    {
        var box = session.RequireSelected;
        if (box.TryGetCached(uid, out var cached))
        {
            return cached;
        }

        if (!box.WasProbed(uid))
        {
            int i = box.IndexOfUid(uid);
            List<uint> ahead = i < 0
                ? [uid]
                : box.Messages.GetRange(i, Math.Min(Math.Min(BatchSize, Math.Max(1, box.CacheSize / 2)), box.Messages.Count - i)).ConvertAll(m => m.Uid);
            await PrefetchStructuresAsync(session, ahead, ct).ConfigureAwait(false);
            if (box.TryGetCached(uid, out cached))
            {
                return cached;
            }
        }

        var pm = loaded ?? await LoadAsync(session, uid, ct).ConfigureAwait(false);
        if (pm is null)
        {
            return null;
        }

        cached = new CachedStructure(
            EnvelopeWriter.Write(pm.Message),
            BodyStructureWriter.Write(pm, extensible: true),
            BodyStructureWriter.Write(pm, extensible: false));
        box.Cache(uid, cached);
        box.AddPending(uid, cached);
        if (box.PendingStructures >= BatchSize)
        {
            await session.FlushStructuresAsync(ct).ConfigureAwait(false);
        }

        return cached;
    }
}
