namespace Postern.Smtp.Parsing;

/// <summary>Why the arguments of MAIL or RCPT were refused.</summary>
internal enum ArgumentError
{
    None,
    Syntax,
    SourceRoute,
    TooLong,

    /// <summary>The path was fine; an esmtp-param after it was malformed.</summary>
    Parameter,
}

/// <summary>One esmtp-param: keyword (upper-cased) and optional value (RFC 5321 4.1.2).</summary>
internal readonly record struct EsmtpParameter(string Keyword, string? Value);

/// <summary>The arguments of "MAIL FROM:" / "RCPT TO:": a path followed by esmtp-params.</summary>
internal sealed record PathArguments(SmtpAddress Address, IReadOnlyList<EsmtpParameter> Parameters)
{
    private const int MaxParameters = 16;

    /// <summary>
    /// Parses <paramref name="args"/> (everything after the verb and its space), which must start with
    /// <paramref name="prefix"/> ("FROM:" or "TO:", any case). A space after the colon is tolerated
    /// because common clients send it, although RFC 5321 4.1.1.2 has none.
    /// </summary>
    public static ArgumentError TryParse(string args, string prefix, bool isMail, out PathArguments? result)
    {
        result = null;
        if (!args.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return ArgumentError.Syntax;
        }

        string rest = args[prefix.Length..].TrimStart(' ');
        var error = PathParser.TryParse(rest, allowNull: isMail, allowBarePostmaster: !isMail, out var address, out int consumed);
        if (error != PathError.None)
        {
            return error switch
            {
                PathError.SourceRoute => ArgumentError.SourceRoute,
                PathError.TooLong => ArgumentError.TooLong,
                _ => ArgumentError.Syntax,
            };
        }

        var parameters = new List<EsmtpParameter>();
        var tail = rest.AsSpan(consumed);
        while (tail.Length > 0)
        {
            // Parameters are separated by SP (RFC 5321 4.1.2: Mail-parameters = esmtp-param *(SP esmtp-param)).
            if (tail[0] != ' ')
            {
                return ArgumentError.Syntax;
            }

            tail = tail.TrimStart(' ');
            if (tail.Length == 0)
            {
                break;
            }

            int end = tail.IndexOf(' ');
            var token = end < 0 ? tail : tail[..end];
            tail = end < 0 ? [] : tail[end..];
            if (!TryParseParameter(token, out var parameter) || parameters.Count >= MaxParameters)
            {
                return ArgumentError.Parameter;
            }

            parameters.Add(parameter);
        }

        result = new PathArguments(address, parameters);
        return ArgumentError.None;
    }

    /// <summary>esmtp-keyword ["=" esmtp-value]; keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"); value = 1*(%d33-60 / %d62-126).</summary>
    private static bool TryParseParameter(ReadOnlySpan<char> token, out EsmtpParameter parameter)
    {
        parameter = default;
        int eq = token.IndexOf('=');
        var keyword = eq < 0 ? token : token[..eq];
        if (keyword.Length is 0 or > 64 || !char.IsAsciiLetterOrDigit(keyword[0]))
        {
            return false;
        }

        foreach (char c in keyword)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        string? value = null;
        if (eq >= 0)
        {
            var v = token[(eq + 1)..];
            if (v.Length == 0)
            {
                return false;
            }

            foreach (char c in v)
            {
                if (c < 33 || c > 126 || c == '=')
                {
                    return false;
                }
            }

            value = v.ToString();
        }

        parameter = new EsmtpParameter(keyword.ToString().ToUpperInvariant(), value);
        return true;
    }
}
