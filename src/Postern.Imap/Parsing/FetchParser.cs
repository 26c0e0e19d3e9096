namespace Postern.Imap.Parsing;

/// <summary>Parses FETCH data items and macros (RFC 3501 6.4.5) from the command's tokens.</summary>
public static class FetchParser
{
    /// <summary>Deepest part number path we accept ("1.2.3..."); MIME trees deeper than this are pathological.</summary>
    private const int MaxPathDepth = 32;

    private const int MaxFields = 256;

    public static bool TryParse(ImapToken token, out List<FetchItem> items, out string error)
    {
        items = [];
        error = "";
        if (token.Kind == ImapTokenKind.Atom)
        {
            switch (token.Text.ToUpperInvariant())
            {
                // Macros (RFC 3501 6.4.5): only valid alone, never inside a list.
                case "ALL":
                    items.AddRange([new(FetchKind.Flags), new(FetchKind.InternalDate), new(FetchKind.Rfc822Size), new(FetchKind.Envelope)]);
                    return true;
                case "FAST":
                    items.AddRange([new(FetchKind.Flags), new(FetchKind.InternalDate), new(FetchKind.Rfc822Size)]);
                    return true;
                case "FULL":
                    items.AddRange([new(FetchKind.Flags), new(FetchKind.InternalDate), new(FetchKind.Rfc822Size), new(FetchKind.Envelope), new(FetchKind.Body)]);
                    return true;
            }

            return TryParseItem(token.Text, items, out error);
        }

        if (token.Kind != ImapTokenKind.List || token.Items.Count == 0)
        {
            error = "Expected fetch items";
            return false;
        }

        foreach (var t in token.Items)
        {
            if (t.Kind != ImapTokenKind.Atom || !TryParseItem(t.Text, items, out error))
            {
                error = error.Length > 0 ? error : "Invalid fetch item";
                return false;
            }
        }

        return true;
    }

    private static bool TryParseItem(string text, List<FetchItem> items, out string error)
    {
        error = "";
        int bracket = text.IndexOf('[');
        string name = (bracket < 0 ? text : text[..bracket]).ToUpperInvariant();
        if (bracket < 0)
        {
            FetchKind? kind = name switch
            {
                "FLAGS" => FetchKind.Flags,
                "UID" => FetchKind.Uid,
                "INTERNALDATE" => FetchKind.InternalDate,
                "RFC822.SIZE" => FetchKind.Rfc822Size,
                "ENVELOPE" => FetchKind.Envelope,
                "BODYSTRUCTURE" => FetchKind.BodyStructure,
                "BODY" => FetchKind.Body,
                "RFC822" => FetchKind.Rfc822,
                "RFC822.HEADER" => FetchKind.Rfc822Header,
                "RFC822.TEXT" => FetchKind.Rfc822Text,
                "MODSEQ" => FetchKind.ModSeq,
                _ => null,
            };
            if (kind is null)
            {
                error = "Unknown fetch item";
                return false;
            }

            items.Add(new FetchItem(kind.Value, Peek: kind == FetchKind.Rfc822Header));
            return true;
        }

        if (BinaryFetchParser.IsBinaryName(name))
        {
            return BinaryFetchParser.TryParse(name, text, bracket, items, out error);
        }

        if (name is not ("BODY" or "BODY.PEEK"))
        {
            error = "Unknown fetch item";
            return false;
        }

        bool peek = name == "BODY.PEEK";
        int close = text.IndexOf(']', bracket);
        if (close < 0 || !TryParseSection(text[(bracket + 1)..close], out var section, out error))
        {
            error = error.Length > 0 ? error : "Invalid section";
            return false;
        }

        string rest = text[(close + 1)..];
        long? start = null;
        long count = 0;
        if (rest.Length > 0)
        {
            // partial = "<" number "." nz-number ">" (RFC 3501 9).
            int dot = rest.IndexOf('.');
            if (rest[0] != '<' || rest[^1] != '>' || dot < 0
                || !long.TryParse(rest.AsSpan(1, dot - 1), System.Globalization.NumberStyles.None, null, out long s)
                || !long.TryParse(rest.AsSpan(dot + 1, rest.Length - dot - 2), System.Globalization.NumberStyles.None, null, out long c)
                || c == 0)
            {
                error = "Invalid partial";
                return false;
            }

            start = s;
            count = c;
        }

        items.Add(new FetchItem(FetchKind.Section, section, peek, start, count));
        return true;
    }

    /// <summary>Parses what is between "[" and "]" (RFC 3501 9, "section-spec").</summary>
    public static bool TryParseSection(string spec, out BodySection? section, out string error)
    {
        section = null;
        error = "";
        var path = new List<int>();
        int i = 0;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
        {
            int start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            if (i - start > 9 || spec[start] == '0' || path.Count >= MaxPathDepth)
            {
                error = "Invalid part number";
                return false;
            }

            path.Add(int.Parse(spec.AsSpan(start, i - start)));
            if (i < spec.Length)
            {
                if (spec[i] != '.')
                {
                    error = "Invalid section";
                    return false;
                }

                i++;
                if (i == spec.Length)
                {
                    error = "Invalid section";
                    return false;
                }
            }
        }

        string rest = spec[i..];
        string upper = rest.ToUpperInvariant();
        SectionText text;
        string[] fields = [];
        if (upper.Length == 0)
        {
            text = SectionText.None;
        }
        else if (upper == "HEADER")
        {
            text = SectionText.Header;
        }
        else if (upper == "TEXT")
        {
            text = SectionText.Text;
        }
        else if (upper == "MIME")
        {
            // MIME needs a part number (RFC 3501 6.4.5).
            if (path.Count == 0)
            {
                error = "MIME needs a part number";
                return false;
            }

            text = SectionText.Mime;
        }
        else if (upper.StartsWith("HEADER.FIELDS", StringComparison.Ordinal))
        {
            bool not = upper.StartsWith("HEADER.FIELDS.NOT", StringComparison.Ordinal);
            text = not ? SectionText.HeaderFieldsNot : SectionText.HeaderFields;
            string list = upper[(not ? 17 : 13)..].Trim();
            if (list.Length < 3 || list[0] != '(' || list[^1] != ')')
            {
                error = "Expected a list of header fields";
                return false;
            }

            var names = new List<string>();
            foreach (var raw in list[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                string f = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? raw[1..^1] : raw;
                if (f.Length == 0 || names.Count >= MaxFields || f.Any(c => c <= ' ' || c >= 0x7f || c == ':'))
                {
                    error = "Invalid header field name";
                    return false;
                }

                names.Add(f);
            }

            if (names.Count == 0)
            {
                error = "Expected a list of header fields";
                return false;
            }

            fields = [.. names];
        }
        else
        {
            error = "Invalid section";
            return false;
        }

        section = new BodySection([.. path], text, fields);
        return true;
    }
}
