using MimeKit;

namespace Postern.Imap.Mime;

/// <summary>
/// One message held in memory with MimeKit's parse of it and the byte offsets of every entity, so
/// sections (BODY[1.2], BODY[2.HEADER]) are cut byte-exact from what is stored, never re-serialised.
/// </summary>
public sealed class ParsedMessage
{
    /// <summary>Where an entity's header and body lie in <see cref="Raw"/>.</summary>
    public readonly record struct Span(int Begin, int BodyStart, int End);

    private readonly Dictionary<object, Span> _spans = new(ReferenceEqualityComparer.Instance);

    private ParsedMessage(byte[] raw, MimeMessage message)
    {
        Raw = raw;
        Message = message;
    }

    public byte[] Raw { get; }

    public MimeMessage Message { get; }

    /// <summary>MIME limits: a hostile message cannot make the parser (or our walkers) recurse deeply.</summary>
    public static ParserOptions Options { get; } = CreateOptions();

    private static ParserOptions CreateOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.MaxMimeDepth = 32;
        options.MaxAddressGroupDepth = 3;
        return options;
    }

    /// <summary>
    /// Most MIME parts shown (BODYSTRUCTURE, BODY[n]); the octets of later parts stay in the
    /// message (BODY[], BODY[TEXT]) but are not split out. Dovecot's limit (its fix for
    /// CVE-2020-12100): beyond it, 200,000 tiny parts cost MimeKit 600 MB and seconds per parse.
    /// </summary>
    public const int MaxParts = 10_000;

    /// <summary>
    /// Longest header field (first line plus continuation lines) given to MimeKit; see
    /// <see cref="HeaderBloat"/>. Longer fields of the top-level header are cut in the copy that
    /// MimeKit parses (offsets are mapped back, so sections stay byte-exact); a longer field in
    /// a nested header makes the message parse as its top-level header over one opaque body.
    /// BODY[], BODY[HEADER] and BODY[TEXT] always return the stored octets unchanged.
    /// </summary>
    public const int MaxHeaderFieldBytes = 64 * 1024;

    /// <summary>
    /// Most fields of one header block given to MimeKit (see <see cref="HeaderBloat"/>): a top-level
    /// header with more keeps its first fields, and then only the first of each field ENVELOPE and
    /// BODYSTRUCTURE are built from, so 500,000 To: fields cost milliseconds, not seconds, and
    /// ENVELOPE lists the addresses of the first ones. Real mail has tens of fields, a few hundred
    /// after many hops. A nested header with more makes the message opaque, as for a long field.
    /// </summary>
    public const int MaxHeaderFields = 1000;

    /// <summary>Most octets of one header block given to MimeKit, on the same terms as <see cref="MaxHeaderFields"/>.</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    public static HeaderLimits HeaderLimits { get; } = new(MaxHeaderFieldBytes, MaxHeaderFields, MaxHeaderBytes);

    public static ParsedMessage Parse(byte[] raw)
    {
        try
        {
            return ParseCapped(raw);
        }
        catch (FormatException)
        {
            // MimeKit finds no header at all: an empty message, or text whose first line is no
            // header field. APPEND stores such octets as they come, and FETCH, SEARCH, SORT and
            // THREAD must still answer for them rather than fail with [SERVERBUG] (found by
            // fuzzing: tests/Postern.Fuzz/Regressions/mime/empty-message.eml).
            return ParseHeaderless(raw);
        }
    }

    private static ParsedMessage ParseCapped(byte[] raw)
    {
        int bodyStart = FindBodyStart(raw, 0, raw.Length);
        var view = new View(raw, 0, 0);
        if (HeaderBloat.IsBloated(raw.AsSpan(0, bodyStart), HeaderLimits))
        {
            byte[] header = HeaderBloat.Compact(raw.AsSpan(0, bodyStart), HeaderLimits);
            view = new View([.. header, .. raw.AsSpan(bodyStart)], header.Length, bodyStart - header.Length);
        }

        // The top-level header is within the limits now (its structural fields may go past them).
        if (HeaderBloat.IsBloated(view.Bytes, HeaderLimits, checkFirstBlock: false))
        {
            return ParseOpaque(raw, bodyStart);
        }

        try
        {
            return ParseMime(raw, view, view.Bytes.Length);
        }
        catch (TooManyPartsException tooMany)
        {
            // Parse only up to where part MaxParts + 1 begins.
            try
            {
                return ParseMime(raw, view, tooMany.Offset);
            }
            catch (TooManyPartsException)
            {
                return ParseOpaque(raw, bodyStart);
            }
        }
    }

    /// <summary>What MimeKit parses: the stored octets, or a copy whose top-level header was cut (offsets past it shift back).</summary>
    private readonly record struct View(byte[] Bytes, int ShiftFrom, int Shift)
    {
        public long ToRaw(long offset) => offset >= ShiftFrom ? offset + Shift : offset;
    }

    private static ParsedMessage ParseMime(byte[] raw, View view, int length)
    {
        var begins = new Dictionary<object, long>(ReferenceEqualityComparer.Instance);
        var ends = new List<(object Entity, long End)>();
        using var stream = new MemoryStream(view.Bytes, 0, length, writable: false);
        var parser = new MimeParser(Options, stream, persistent: false);
        parser.MimeMessageBegin += (_, e) => begins[e.Message] = e.BeginOffset;
        parser.MimeMessageEnd += (_, e) => ends.Add((e.Message, e.EndOffset));
        parser.MimeEntityBegin += (_, e) =>
        {
            if (begins.Count >= MaxParts)
            {
                // Cut before the boundary line that opens this part, so the shorter parse ends cleanly.
                int at = (int)Math.Clamp(e.BeginOffset, 0, length);
                int boundaryLine = view.Bytes.AsSpan(0, Math.Max(0, at - 1)).LastIndexOf((byte)'\n') + 1;
                throw new TooManyPartsException(boundaryLine);
            }

            begins[e.Entity] = e.BeginOffset;
        };
        parser.MimeEntityEnd += (_, e) => ends.Add((e.Entity, e.EndOffset));
        var message = parser.ParseMessage();
        var parsed = new ParsedMessage(raw, message);
        foreach (var (entity, end) in ends)
        {
            if (begins.TryGetValue(entity, out long begin))
            {
                int b = (int)Math.Clamp(view.ToRaw(begin), 0, raw.Length);
                int e = (int)Math.Clamp(view.ToRaw(end), b, raw.Length);
                parsed._spans[entity] = new Span(b, FindBodyStart(raw, b, e), e);
            }
        }

        // The top-level message is the whole stored octets, whatever the parser reported.
        parsed._spans[message] = new Span(0, FindBodyStart(raw, 0, raw.Length), raw.Length);
        return parsed;
    }

    /// <summary>
    /// The top-level header (cut to <see cref="HeaderLimits"/>) over one body
    /// holding all the rest, undivided; a single-part body keeps its content so SEARCH TEXT still
    /// looks into it.
    /// </summary>
    private static ParsedMessage ParseOpaque(byte[] raw, int bodyStart)
    {
        using var header = new MemoryStream(HeaderBloat.Compact(raw.AsSpan(0, bodyStart), HeaderLimits), writable: false);
        var message = new MimeParser(Options, header, persistent: false).ParseMessage();
        var parsed = new ParsedMessage(raw, message);
        var whole = new Span(0, bodyStart, raw.Length);
        parsed._spans[message] = whole;
        if (message.Body is { } body)
        {
            parsed._spans[body] = whole;
            if (body is MimePart leaf)
            {
                leaf.Content = new MimeContent(new MemoryStream(raw, bodyStart, raw.Length - bodyStart, writable: false), leaf.ContentTransferEncoding);
            }
        }

        return parsed;
    }

    /// <summary>An empty header over one text/plain body holding all the stored octets.</summary>
    private static ParsedMessage ParseHeaderless(byte[] raw)
    {
        using var blankLine = new MemoryStream("\r\n"u8.ToArray(), writable: false);
        var message = new MimeParser(Options, blankLine, persistent: false).ParseMessage();
        var parsed = new ParsedMessage(raw, message);
        var whole = new Span(0, 0, raw.Length);
        parsed._spans[message] = whole;
        if (message.Body is MimePart leaf)
        {
            parsed._spans[leaf] = whole;
            leaf.Content = new MimeContent(new MemoryStream(raw, writable: false), leaf.ContentTransferEncoding);
        }

        return parsed;
    }

    /// <summary>Thrown from the parser's event to stop it at the part that is one too many.</summary>
    private sealed class TooManyPartsException(int offset) : Exception
    {
        public int Offset { get; } = offset;
    }

    /// <summary>The offset just after the blank line that ends the header (or the end when there is none).</summary>
    public static int FindBodyStart(ReadOnlySpan<byte> raw, int begin, int end)
    {
        int i = begin;
        while (i < end)
        {
            // A header line ends at LF; an empty line (CRLF or LF alone) ends the header.
            if (raw[i] == (byte)'\n')
            {
                return i + 1;
            }

            if (raw[i] == (byte)'\r' && i + 1 < end && raw[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            int lf = raw[i..end].IndexOf((byte)'\n');
            if (lf < 0)
            {
                return end;
            }

            i += lf + 1;
        }

        return end;
    }

    public Span SpanOf(object entityOrMessage) =>
        _spans.TryGetValue(entityOrMessage, out var s) ? s : new Span(0, 0, 0);

    public ReadOnlyMemory<byte> Slice(int from, int to) => Raw.AsMemory(from, Math.Max(0, to - from));
}
