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

    /// <summary>ENVELOPE, BODYSTRUCTURE and BODY of a message, from the session cache or a fresh parse.</summary>
    public static async Task<CachedStructure?> StructureAsync(ImapSession session, uint uid, ParsedMessage? loaded, CancellationToken ct)
    {
        var box = session.RequireSelected;
        if (box.TryGetCached(uid, out var cached))
        {
            return cached;
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
        return cached;
    }
}
