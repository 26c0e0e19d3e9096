using MimeKit;
using Postern.Imap.Mime;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Storage;

namespace Postern.Imap.Commands;

/// <summary>
/// The BINARY items of FETCH (RFC 3516 4.2): a part with its content-transfer-encoding undone, or
/// its decoded size. BINARY[] (the whole message) is streamed from the store like BODY[].
/// </summary>
internal static class BinaryFetch
{
    /// <summary>True unless the item names the whole message, which is streamed instead of parsed.</summary>
    public static bool NeedsParse(FetchItem item) => item.Section!.Path.Length > 0;

    /// <summary>
    /// Decodes every part the items ask for, before any of the response is written, so an unknown
    /// encoding ends the command with NO [UNKNOWN-CTE] (RFC 3516 4.3) instead of a broken response.
    /// </summary>
    public static Dictionary<FetchItem, ReadOnlyMemory<byte>>? Prepare(ParsedMessage? pm, List<FetchItem> items)
    {
        Dictionary<FetchItem, ReadOnlyMemory<byte>>? decoded = null;
        foreach (var item in items)
        {
            if (item.Kind is not (FetchKind.Binary or FetchKind.BinarySize) || !NeedsParse(item))
            {
                continue;
            }

            decoded ??= new(ReferenceEqualityComparer.Instance);
            try
            {
                decoded[item] = Decode(pm!, item.Section!.Path);
            }
            catch (UnknownCteException)
            {
                throw ImapException.No("[UNKNOWN-CTE] Cannot decode the content-transfer-encoding of this part");
            }
        }

        return decoded;
    }

    /// <summary>The decoded body of the part at <paramref name="path"/>; empty when there is no such part.</summary>
    private static ReadOnlyMemory<byte> Decode(ParsedMessage pm, int[] path)
    {
        // Same walk as SectionReader: message/rfc822 parts step into their message, a single part is part 1.
        MimeEntity? current = pm.Message.Body;
        for (int step = 0; step < path.Length && current is not null; step++)
        {
            int n = path[step];
            var node = step > 0 && current is MessagePart mp ? mp.Message?.Body : current;
            current = node is Multipart multipart ? (n <= multipart.Count ? multipart[n - 1] : null) : (n == 1 ? node : null);
        }

        if (current is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var span = pm.SpanOf(current);
        var body = pm.Slice(span.BodyStart, span.End);

        // Multiparts and messages can only be 7bit, 8bit or binary (RFC 2045 6.4): never decoded.
        return current is Multipart or MessagePart ? body : BinaryDecoder.Decode(body, BinaryDecoder.EncodingOf(current));
    }

    public static async Task WriteAsync(ImapSession session, SelectedMailbox box, MessageInfo msg, FetchItem item, Dictionary<FetchItem, ReadOnlyMemory<byte>>? decoded, CancellationToken ct)
    {
        var connection = session.Connection;
        string spec = item.Section!.Spec;
        if (item.Kind == FetchKind.BinarySize)
        {
            long size = NeedsParse(item) ? decoded![item].Length : msg.Size;
            connection.Write("BINARY.SIZE[" + spec + "] " + size);
            return;
        }

        connection.Write("BINARY[" + spec + "]" + (item.PartialStart is { } s ? "<" + s + ">" : "") + " ");
        if (!NeedsParse(item))
        {
            await FetchCommand.WriteWholeAsync(session, box, msg, item.PartialStart, item.PartialCount, ct, literal8: true).ConfigureAwait(false);
            return;
        }

        var data = decoded![item].Span;
        if (item.PartialStart is { } start)
        {
            data = start >= data.Length ? [] : data.Slice((int)start, (int)Math.Min(item.PartialCount, data.Length - start));
        }

        // literal8 when the octets hold NUL, which a plain literal cannot carry (RFC 3516 4.2, 4.3).
        connection.Write((data.Contains((byte)0) ? "~{" : "{") + data.Length + "}\r\n");
        connection.Write(data);
    }
}
