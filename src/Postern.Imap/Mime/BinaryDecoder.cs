using MimeKit;
using MimeKit.Encodings;

namespace Postern.Imap.Mime;

/// <summary>A body part's content-transfer-encoding this server cannot undo (RFC 3516 4.3, [UNKNOWN-CTE]).</summary>
public sealed class UnknownCteException(string encoding) : Exception("Unknown content-transfer-encoding " + encoding);

/// <summary>Undoes a part's content-transfer-encoding for FETCH BINARY (RFC 3516 4.2).</summary>
public static class BinaryDecoder
{
    /// <summary>Chunk size of the decoder; the output buffer is sized per chunk, not for the whole body at once.</summary>
    private const int Chunk = 16 * 1024;

    /// <summary>
    /// The decoded octets of a part body with the given Content-Transfer-Encoding value (null when the
    /// header is absent). 7bit, 8bit and binary are the identity (RFC 2045 6.2); base64 (MimeKit's
    /// decoder) and quoted-printable (<see cref="QuotedPrintable"/>) are decoded; anything else
    /// throws <see cref="UnknownCteException"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> body, string? encoding)
    {
        string cte = (encoding ?? "").Trim().ToLowerInvariant();
        return cte switch
        {
            "" or "7bit" or "8bit" or "binary" => body,
            "base64" => DecodeBase64(body),
            "quoted-printable" => QuotedPrintable.Decode(body.Span),
            _ => throw new UnknownCteException(cte.Length > 40 ? cte[..40] : cte),
        };
    }

    private static ReadOnlyMemory<byte> DecodeBase64(ReadOnlyMemory<byte> body)
    {
        var decoder = new Base64Decoder();
        var output = new MemoryStream(body.Length);
        var input = new byte[Math.Min(Chunk, Math.Max(body.Length, 1))];
        var decoded = new byte[decoder.EstimateOutputLength(input.Length)];
        for (int offset = 0; offset < body.Length; offset += Chunk)
        {
            int n = Math.Min(Chunk, body.Length - offset);
            body.Span.Slice(offset, n).CopyTo(input);
            int m = decoder.Decode(input, 0, n, decoded);
            output.Write(decoded, 0, m);
        }

        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    /// <summary>The Content-Transfer-Encoding header value of an entity, or null.</summary>
    public static string? EncodingOf(MimeEntity entity) =>
        entity.Headers.Contains(HeaderId.ContentTransferEncoding) ? entity.Headers[HeaderId.ContentTransferEncoding] : null;
}
