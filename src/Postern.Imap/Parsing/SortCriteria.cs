namespace Postern.Imap.Parsing;

/// <summary>The SORT keys of RFC 5256 3 and RFC 5957 (DISPLAYFROM, DISPLAYTO).</summary>
public enum SortField
{
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

/// <summary>One sort key; REVERSE applies to the key it precedes only.</summary>
public sealed record SortCriterion(SortField Field, bool Reverse);

/// <summary>Parses a sort-criteria list: "(" ["REVERSE" SP] key *(SP ["REVERSE" SP] key) ")" (RFC 5256 4).</summary>
public static class SortCriteria
{
    /// <summary>More keys than there are distinct ones (with REVERSE) makes no sense; this bounds the list.</summary>
    private const int MaxKeys = 32;

    public static bool TryParse(ImapToken token, out List<SortCriterion> criteria, out string error)
    {
        criteria = [];
        error = "";
        if (token.Kind != ImapTokenKind.List || token.Items.Count == 0)
        {
            error = "Sort criteria must be a non-empty list";
            return false;
        }

        bool reverse = false;
        foreach (var item in token.Items)
        {
            if (item.Kind != ImapTokenKind.Atom)
            {
                error = "Invalid sort key";
                return false;
            }

            string word = item.Text.ToUpperInvariant();
            if (word == "REVERSE")
            {
                if (reverse)
                {
                    error = "REVERSE REVERSE";
                    return false;
                }

                reverse = true;
                continue;
            }

            SortField? field = word switch
            {
                "ARRIVAL" => SortField.Arrival,
                "CC" => SortField.Cc,
                "DATE" => SortField.Date,
                "FROM" => SortField.From,
                "SIZE" => SortField.Size,
                "SUBJECT" => SortField.Subject,
                "TO" => SortField.To,
                "DISPLAYFROM" => SortField.DisplayFrom,
                "DISPLAYTO" => SortField.DisplayTo,
                _ => null,
            };
            if (field is null || criteria.Count >= MaxKeys)
            {
                error = field is null ? "Unknown sort key" : "Too many sort keys";
                return false;
            }

            criteria.Add(new SortCriterion(field.Value, reverse));
            reverse = false;
        }

        if (reverse)
        {
            error = "REVERSE without a sort key";
            return false;
        }

        return true;
    }
}
