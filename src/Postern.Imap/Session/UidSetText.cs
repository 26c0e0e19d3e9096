namespace Postern.Imap.Session;

/// <summary>Writes numbers as a compact IMAP sequence set ("1:3,7,9:10"), as VANISHED and MODIFIED need.</summary>
public static class UidSetText
{
    /// <summary>Sorts, removes duplicates and joins runs of consecutive numbers into ranges.</summary>
    public static string Format(IEnumerable<uint> numbers)
    {
        var sorted = numbers.Distinct().Order().ToList();
        var parts = new List<string>();
        int i = 0;
        while (i < sorted.Count)
        {
            int start = i;
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1)
            {
                i++;
            }

            parts.Add(start == i ? sorted[i].ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{sorted[start]}:{sorted[i]}");
            i++;
        }

        return string.Join(',', parts);
    }
}
