using System.Text;
using MimeKit;
using Postern.Imap.Session;

namespace Postern.Imap.Mime;

/// <summary>Builds BODY and BODYSTRUCTURE (RFC 3501 7.4.2) from a parsed message and its byte offsets.</summary>
public static class BodyStructureWriter
{
    /// <summary>Above MimeKit's own MaxMimeDepth; a guard so this recursion is bounded whatever the parser does.</summary>
    private const int MaxDepth = 40;

    public static string Write(ParsedMessage pm, bool extensible)
    {
        var sb = new StringBuilder();
        var body = pm.Message.Body;
        if (body is null)
        {
            // A message without a body is text/plain with no content (RFC 2045 5.2 default type).
            sb.Append("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)");
            return sb.ToString();
        }

        Entity(sb, pm, body, extensible, 0);
        return sb.ToString();
    }

    private static void Entity(StringBuilder sb, ParsedMessage pm, MimeEntity entity, bool ext, int depth)
    {
        if (depth > MaxDepth)
        {
            sb.Append("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
            return;
        }

        var type = entity.ContentType;
        if (entity is Multipart multipart && multipart.Count > 0)
        {
            sb.Append('(');
            foreach (var child in multipart)
            {
                Entity(sb, pm, child, ext, depth + 1);
            }

            sb.Append(' ').Append(ImapText.String(type.MediaSubtype.ToUpperInvariant()));
            if (ext)
            {
                sb.Append(' ').Append(Parameters(type.Parameters)).Append(' ');
                Extensions(sb, entity);
            }

            sb.Append(')');
            return;
        }

        var span = pm.SpanOf(entity);
        int size = span.End - span.BodyStart;
        sb.Append('(')
            .Append(ImapText.String(type.MediaType.ToUpperInvariant())).Append(' ')
            .Append(ImapText.String(type.MediaSubtype.ToUpperInvariant())).Append(' ')
            .Append(LeafParameters(type)).Append(' ')
            .Append(ImapText.String(HeaderValue(entity, HeaderId.ContentId))).Append(' ')
            .Append(ImapText.String(HeaderValue(entity, HeaderId.ContentDescription))).Append(' ')
            .Append(ImapText.String((HeaderValue(entity, HeaderId.ContentTransferEncoding) ?? "7BIT").ToUpperInvariant())).Append(' ')
            .Append(size);

        if (entity is MessagePart { Message: { } inner } && type.IsMimeType("message", "rfc822"))
        {
            // body-type-msg: envelope, body, lines (RFC 3501 9).
            sb.Append(' ').Append(EnvelopeWriter.Write(inner)).Append(' ');
            if (inner.Body is null)
            {
                sb.Append("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0)");
            }
            else
            {
                Entity(sb, pm, inner.Body, ext, depth + 1);
            }

            sb.Append(' ').Append(Lines(pm, span));
        }
        else if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            sb.Append(' ').Append(Lines(pm, span));
        }

        if (ext)
        {
            sb.Append(' ').Append(ImapText.String(HeaderValue(entity, HeaderId.ContentMd5))).Append(' ');
            Extensions(sb, entity);
        }

        sb.Append(')');
    }

    /// <summary>body-fld-dsp SP body-fld-lang SP body-fld-loc (RFC 3501 9).</summary>
    private static void Extensions(StringBuilder sb, MimeEntity entity)
    {
        var d = entity.ContentDisposition;
        if (d is null)
        {
            sb.Append("NIL");
        }
        else
        {
            sb.Append('(').Append(ImapText.String(d.Disposition.ToUpperInvariant())).Append(' ').Append(Parameters(d.Parameters)).Append(')');
        }

        var lang = HeaderValue(entity, HeaderId.ContentLanguage);
        if (lang is null)
        {
            sb.Append(" NIL");
        }
        else
        {
            var tags = lang.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            sb.Append(" (").AppendJoin(' ', tags.Select(ImapText.String)).Append(')');
        }

        sb.Append(' ').Append(ImapText.String(HeaderValue(entity, HeaderId.ContentLocation)));
    }

    /// <summary>Text without a charset is US-ASCII (RFC 2045 5.2); say so, as clients expect a charset for text.</summary>
    private static string LeafParameters(ContentType type)
    {
        if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase) && !type.Parameters.Contains("charset"))
        {
            string rest = Parameters(type.Parameters);
            return rest == "NIL" ? "(\"CHARSET\" \"US-ASCII\")" : "(\"CHARSET\" \"US-ASCII\" " + rest[1..];
        }

        return Parameters(type.Parameters);
    }

    private static string Parameters(ParameterList parameters)
    {
        if (parameters.Count == 0)
        {
            return "NIL";
        }

        var sb = new StringBuilder("(");
        foreach (var p in parameters)
        {
            if (sb.Length > 1)
            {
                sb.Append(' ');
            }

            sb.Append(ImapText.String(p.Name.ToUpperInvariant())).Append(' ').Append(ImapText.String(p.Value));
        }

        return sb.Append(')').ToString();
    }

    private static string? HeaderValue(MimeEntity entity, HeaderId id)
    {
        int idx = entity.Headers.IndexOf(id);
        if (idx < 0)
        {
            return null;
        }

        string value = Encoding.UTF8.GetString(entity.Headers[idx].RawValue);
        return value.Replace("\r\n", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Trim();
    }

    private static int Lines(ParsedMessage pm, ParsedMessage.Span span)
    {
        var body = pm.Raw.AsSpan(span.BodyStart, span.End - span.BodyStart);
        int lines = body.Count((byte)'\n');
        if (body.Length > 0 && body[^1] != (byte)'\n')
        {
            lines++;
        }

        return lines;
    }
}
