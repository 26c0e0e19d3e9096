namespace Postern.Imap.Parsing;

/// <summary>
/// A sequence set (RFC 3501 9, "sequence-set"): ranges of message numbers or UIDs, "*" meaning the
/// largest in use. Kept as ranges and never expanded, so "1:4294967295" costs nothing.
/// </summary>
public sealed class SequenceSet
{
    /// <summary>Stands for "*" until resolved against a mailbox.</summary>
    public const uint Star = 0;

    /// <summary>Enough for any real client; the line length bounds it anyway.</summary>
    private const int MaxRanges = 16 * 1024;

    private readonly List<(uint From, uint To)> _ranges;

    private SequenceSet(List<(uint From, uint To)> ranges) => _ranges = ranges;

    /// <summary>"$": the saved search result (RFC 5182 2.1), resolved against the session when used.</summary>
    public static SequenceSet Saved { get; } = new([]) { IsSaved = true };

    /// <summary>True for "$"; <see cref="Ranges"/> is empty then and <see cref="Resolve"/> asks <see cref="Session.SavedSearch"/>.</summary>
    public bool IsSaved { get; private init; }

    public IReadOnlyList<(uint From, uint To)> Ranges => _ranges;

    /// <summary>
    /// Parses "1,3:5,7:*,*:2" or "$" (RFC 5182 3: "$" stands alone, never inside a list). Zero is
    /// not a valid number (RFC 3501 9, nz-number).
    /// </summary>
    public static bool TryParse(string text, out SequenceSet? set)
    {
        set = null;
        if (text.Length == 0)
        {
            return false;
        }

        if (text == "$")
        {
            set = Saved;
            return true;
        }

        var ranges = new List<(uint, uint)>();
        foreach (var part in text.Split(','))
        {
            if (ranges.Count >= MaxRanges)
            {
                return false;
            }

            int colon = part.IndexOf(':');
            if (colon < 0)
            {
                if (!TryNumber(part, out uint n))
                {
                    return false;
                }

                ranges.Add((n, n));
            }
            else
            {
                if (!TryNumber(part[..colon], out uint a) || !TryNumber(part[(colon + 1)..], out uint b))
                {
                    return false;
                }

                ranges.Add((a, b));
            }
        }

        set = new SequenceSet(ranges);
        return true;
    }

    private static bool TryNumber(string s, out uint n)
    {
        n = 0;
        if (s == "*")
        {
            n = Star;
            return true;
        }

        if (s.Length is 0 or > 10 || s[0] == '0')
        {
            return false;
        }

        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return uint.TryParse(s, out n) && n > 0;
    }

    /// <summary>
    /// Resolves "*" to <paramref name="largest"/> and returns sorted, merged inclusive ranges.
    /// Ranges may be given in either order ("5:2" is "2:5", RFC 3501 9). With an empty mailbox
    /// ("largest" 0) "*" matches nothing.
    /// </summary>
    public List<(uint From, uint To)> Resolve(uint largest)
    {
        if (IsSaved)
        {
            // The command's own context (UID or MSN, which mailbox) decides what "$" means.
            return Session.SavedSearch.ResolveCurrent();
        }

        var list = new List<(uint From, uint To)>(_ranges.Count);
        foreach (var (a0, b0) in _ranges)
        {
            uint a = a0 == Star ? largest : a0;
            uint b = b0 == Star ? largest : b0;
            if (a == 0 || b == 0)
            {
                // Only "*" in an empty mailbox resolves to 0; "n:*" still covers n.. nothing exists there.
                if (a == 0 && b == 0)
                {
                    continue;
                }

                a = a == 0 ? b : a;
                b = b == 0 ? a : b;
            }

            list.Add(a <= b ? (a, b) : (b, a));
        }

        list.Sort((x, y) => x.From.CompareTo(y.From));
        var merged = new List<(uint From, uint To)>(list.Count);
        foreach (var r in list)
        {
            if (merged.Count > 0 && r.From <= (ulong)merged[^1].To + 1)
            {
                var last = merged[^1];
                merged[^1] = (last.From, Math.Max(last.To, r.To));
            }
            else
            {
                merged.Add(r);
            }
        }

        return merged;
    }

    /// <summary>True if <paramref name="n"/> is in the resolved ranges (binary search).</summary>
    public static bool Contains(List<(uint From, uint To)> resolved, uint n)
    {
        int lo = 0, hi = resolved.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            var r = resolved[mid];
            if (n < r.From)
            {
                hi = mid - 1;
            }
            else if (n > r.To)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes ascending numbers compactly ("1:3,7"), merging only numbers that follow each other
    /// (RFC 4731 3: ALL is a sequence-set). Empty input gives "".
    /// </summary>
    public static string Format(IEnumerable<uint> ascending)
    {
        var sb = new System.Text.StringBuilder();
        uint start = 0, last = 0;
        bool any = false;
        foreach (uint n in ascending)
        {
            if (any && n == last + 1)
            {
                last = n;
                continue;
            }

            if (any)
            {
                Append(sb, start, last);
            }

            start = last = n;
            any = true;
        }

        if (any)
        {
            Append(sb, start, last);
        }

        return sb.ToString();
    }

    private static void Append(System.Text.StringBuilder sb, uint from, uint to)
    {
        if (sb.Length > 0)
        {
            sb.Append(',');
        }

        sb.Append(from);
        if (to != from)
        {
            sb.Append(':').Append(to);
        }
    }
}
