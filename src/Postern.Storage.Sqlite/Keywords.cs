namespace Postern.Storage.Sqlite;

/// <summary>
/// Message keywords (RFC 9051 2.3.2): IMAP atoms, compared case-insensitively, kept as first
/// spelled. Stored as one space-separated column (an atom never holds a space), NULL for none.
/// </summary>
internal static class Keywords
{
    public const int MaxLength = 64;
    public const int MaxPerMessage = 64;

    /// <summary>
    /// The one empty list this store hands out. MailTypes' default (a new list per record) would
    /// make two equal MessageInfo/MailboxInfo records compare unequal; a shared instance keeps
    /// record equality for messages without keywords.
    /// </summary>
    public static readonly IReadOnlyList<string> None = Array.Empty<string>();

    /// <summary>Checks and de-duplicates (case-insensitively, first spelling wins) caller input.</summary>
    public static List<string> Validate(IReadOnlyList<string> keywords, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keywords, paramName);
        List<string> result = [];
        foreach (string keyword in keywords)
        {
            if (!IsAtom(keyword))
            {
                throw new ArgumentException(
                    $"A keyword must be 1 to {MaxLength} printable ASCII characters without spaces or any of ( ) {{ % * \" \\ ].", paramName);
            }

            if (!Contains(result, keyword))
            {
                result.Add(keyword);
            }
        }

        return result.Count <= MaxPerMessage
            ? result
            : throw new ArgumentException($"A message may have at most {MaxPerMessage} keywords.", paramName);
    }

    /// <summary>
    /// RFC 9051 9: atom = 1*ATOM-CHAR; ATOM-CHAR is any CHAR except atom-specials
    /// ( "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]" ). A leading "\" would make it a system flag.
    /// </summary>
    private static bool IsAtom(string? keyword)
    {
        if (string.IsNullOrEmpty(keyword) || keyword.Length > MaxLength)
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

    public static IReadOnlyList<string> Parse(string? stored) =>
        string.IsNullOrEmpty(stored) ? None : stored.Split(' ');

    public static object Format(IReadOnlyList<string> keywords) =>
        keywords.Count == 0 ? DBNull.Value : string.Join(' ', keywords);

    /// <summary>
    /// Applies a change to a message's keywords. Replace keeps the stored spelling of a keyword
    /// the message already has. Returns null when the set does not change (case-insensitively).
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

        return next.Count <= MaxPerMessage
            ? next
            : throw new ArgumentException($"A message may have at most {MaxPerMessage} keywords.", nameof(given));
    }

    /// <summary>Distinct keywords (case-insensitively, first spelling wins) of many stored columns.</summary>
    public static IReadOnlyList<string> Distinct(IEnumerable<string> storedColumns)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        List<string> result = [];
        foreach (string column in storedColumns)
        {
            foreach (string k in Parse(column))
            {
                if (seen.Add(k))
                {
                    result.Add(k);
                }
            }
        }

        return result.Count == 0 ? None : result;
    }
}
