namespace Postern.Storage.Sqlite;

/// <summary>
/// How this store keeps message keywords (the rules are <see cref="MessageKeywords"/>): one
/// space-separated column (an atom never holds a space), NULL for none.
/// </summary>
internal static class Keywords
{
    /// <summary>
    /// The one empty list this store hands out. MailTypes' default (a new list per record) would
    /// make two equal MessageInfo/MailboxInfo records compare unequal; a shared instance keeps
    /// record equality for messages without keywords.
    /// </summary>
    public static readonly IReadOnlyList<string> None = Array.Empty<string>();

    public static IReadOnlyList<string> Parse(string? stored) =>
        string.IsNullOrEmpty(stored) ? None : stored.Split(' ');

    public static object Format(IReadOnlyList<string> keywords) =>
        keywords.Count == 0 ? DBNull.Value : string.Join(' ', keywords);

    /// <summary>Distinct keywords (case-insensitively, first spelling wins) of many stored columns.</summary>
    public static IReadOnlyList<string> Distinct(IEnumerable<string> storedColumns)
    {
        var result = MessageKeywords.Distinct(storedColumns.Select(Parse));
        return result.Count == 0 ? None : result;
    }
}
