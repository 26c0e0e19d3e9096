using System.Buffers;
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
            await WriteWholeAsync(session, box, msg, item.PartialStart, item.PartialCount, ct).ConfigureAwait(false);
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

    /// <summary>The stored message as a literal8, streamed in chunks (an APPENDed literal8 may hold NUL).</summary>
    private static async Task WriteWholeAsync(ImapSession session, SelectedMailbox box, MessageInfo msg, long? start, long count, CancellationToken ct)
    {
        var connection = session.Connection;
        var stream = await session.Store.OpenMessageAsync(box.Info.Id, msg.Uid, ct).ConfigureAwait(false);
        if (stream is null)
        {
            connection.Write("~{0}\r\n"u8);
            return;
        }

        await using (stream.ConfigureAwait(false))
        {
            long size = stream.CanSeek ? stream.Length : msg.Size;
            long from = start is { } s ? Math.Min(s, size) : 0;
            long length = start is null ? size : Math.Min(count, size - from);
            connection.Write("~{" + length + "}\r\n");
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                // Skip to the origin (read and dropped when the stream cannot seek), then copy exactly length octets.
                long skip = from;
                if (stream.CanSeek)
                {
                    stream.Seek(from, SeekOrigin.Begin);
                    skip = 0;
                }

                long left = length;
                while (skip > 0 || left > 0)
                {
                    int want = (int)Math.Min(buffer.Length, skip > 0 ? skip : left);
                    int n = await stream.ReadAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        // Shorter than recorded: pad so the literal stays exactly as announced.
                        n = want;
                        buffer.AsSpan(0, n).Fill((byte)' ');
                    }

                    if (skip > 0)
                    {
                        skip -= n;
                        continue;
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
}
