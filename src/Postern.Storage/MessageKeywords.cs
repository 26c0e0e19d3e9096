namespace Postern.Storage;

/// <summary>
/// The keyword rules every store follows (RFC 9051 2.3.2): keywords are IMAP atoms, compared
/// case-insensitively, unique per message and kept as first spelled. Length and count are
/// <see cref="StoreLimits"/>.
/// </summary>
public static class MessageKeywords
{
    /// <summary>
    /// Checks and de-duplicates (case-insensitively, first spelling wins) caller input:
    /// <see cref="ArgumentException"/> for a keyword that is not an atom, <see cref="StoreLimitException"/>
    /// for one that is too long or for more than one message may carry.
    /// </summary>
    public static List<string> Validate(IReadOnlyList<string> keywords, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keywords, paramName);
        List<string> result = [];
        foreach (string keyword in keywords)
        {
            if (!IsAtom(keyword))
            {
                throw new ArgumentException(
                    "A keyword must be printable ASCII characters without spaces or any of ( ) { % * \" \\ ].", paramName);
            }

            StoreLimits.CheckKeywordLength(keyword);
            if (!Contains(result, keyword))
            {
                result.Add(keyword);
            }
        }

        StoreLimits.CheckKeywordsPerMessage(result.Count);
        return result;
    }

    /// <summary>
    /// RFC 9051 9: atom = 1*ATOM-CHAR; ATOM-CHAR is any CHAR except atom-specials
    /// ( "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]" ). A leading "\" would make it a system flag.
    /// </summary>
    public static bool IsAtom(string? keyword)
    {
        if (string.IsNullOrEmpty(keyword))
        {
            return false;
        }

        foreach (char c in keyword)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="list"/> holds <paramref name="keyword"/>, case-insensitively.</summary>
    public static bool Contains(IReadOnlyList<string> list, string keyword)
    {
        foreach (string k in list)
        {
            if (string.Equals(k, keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Applies a change to a message's keywords (<paramref name="given"/> already validated). Replace
    /// keeps the stored spelling of a keyword the message already has. Returns null when the set does
    /// not change (case-insensitively); <see cref="StoreLimitException"/> when the message would
    /// carry more than <see cref="StoreLimits.MaxKeywordsPerMessage"/>.
    /// </summary>
    public static List<string>? Apply(IReadOnlyList<string> current, IReadOnlyList<string> given, FlagChange change)
    {
        List<string> next;
        switch (change)
        {
            case FlagChange.Replace:
                next = [.. given.Select(k => current.FirstOrDefault(c => string.Equals(c, k, StringComparison.OrdinalIgnoreCase)) ?? k)];
                break;
            case FlagChange.Add:
                next = [.. current];
                foreach (string k in given)
                {
                    if (!Contains(next, k))
                    {
                        next.Add(k);
                    }
                }

                break;
            case FlagChange.Remove:
                next = [.. current.Where(c => !Contains(given, c))];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown flag change.");
        }

        if (next.Count == current.Count && next.All(k => Contains(current, k)))
        {
            return null;
        }

        StoreLimits.CheckKeywordsPerMessage(next.Count);
        return next;
    }

    /// <summary>Distinct keywords (case-insensitively, first spelling wins) of many keyword lists.</summary>
    public static List<string> Distinct(IEnumerable<IEnumerable<string>> lists)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        List<string> result = [];
        foreach (var list in lists)
        {
            foreach (string k in list)
            {
                if (seen.Add(k))
                {
                    result.Add(k);
                }
            }
        }

        return result;
    }
}
