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

    /// <summary>Header blocks longer than this are searched as far as this only.</summary>
    private const int MaxHeaderBytes = 256 * 1024;

    /// <summary>
    /// Loads only the header block of a message (up to the blank line), for searches on header
    /// fields: most of a message is its body, and reading and MIME-parsing it is wasted work there.
    /// </summary>
    public static async Task<ParsedMessage?> LoadHeaderAsync(ImapSession session, uint uid, CancellationToken ct)
    {
        var box = session.RequireSelected;
        var stream = await session.Store.OpenMessageAsync(box.Info.Id, uid, ct).ConfigureAwait(false);
        if (stream is null)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[8192];
            int length = 0;
            int scanned = 0;
            while (length < MaxHeaderBytes)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxHeaderBytes));
                }

                int n = await stream.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                length += n;
                int end = HeaderEnd(buffer.AsSpan(0, length), Math.Max(0, scanned - 3));
                if (end >= 0)
                {
                    length = end;
                    break;
                }

                scanned = length;
            }

            return ParsedMessage.Parse(buffer.AsSpan(0, length).ToArray());
        }
    }

    /// <summary>The offset just past the blank line ending the header block, or -1 if not yet seen.</summary>
    private static int HeaderEnd(ReadOnlySpan<byte> data, int from)
    {
        for (int i = from; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            if (i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (i + 2 < data.Length && data[i + 1] == (byte)'\r' && data[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }

        return -1;
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
