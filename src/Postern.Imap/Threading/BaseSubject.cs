using System.Text;

namespace Postern.Imap.Threading;

/// <summary>
/// The "base subject" of RFC 5256 2.1, used by SORT SUBJECT and both THREAD algorithms: the
/// subject without "Re:", "Fwd:", "[list]" blobs, "(fwd)" trailers and "[fwd: ...]" wrappers.
/// Written as loops over the string: no recursion, and each pass shortens it.
/// </summary>
public static class BaseSubject
{
    /// <summary>Compares base subjects with i;ascii-casemap (RFC 5256 3: ASCII letters fold, nothing else).</summary>
    public static readonly StringComparer Comparer = new AsciiCaseMap();

    /// <summary>The base subject and whether anything marking a reply or forward was removed (RFC 5256 3, REFERENCES step 5).</summary>
    public static (string Subject, bool IsReplyOrForward) Extract(string? subject)
    {
        string s = Normalize(subject ?? "");
        bool reply = false;
        while (true)
        {
            // (2) Trailing "(fwd)" and white space.
            while (s.Length > 0)
            {
                if (s[^1] == ' ')
                {
                    s = s[..^1];
                }
                else if (s.EndsWith("(fwd)", StringComparison.OrdinalIgnoreCase))
                {
                    s = s[..^5];
                    reply = true;
                }
                else
                {
                    break;
                }
            }

            // (3)-(5) Leaders ("Re:", "[blob] Fwd:", white space), then a lone leading blob if
            // something remains after it, until neither applies.
            bool changed = true;
            while (changed)
            {
                changed = false;
                while (LeaderLength(s) is int n and > 0)
                {
                    reply |= s[0] != ' ';
                    s = s[n..];
                    changed = true;
                }

                int blob = BlobLength(s, 0);
                if (blob > 0 && blob < s.Length)
                {
                    s = s[blob..];
                    changed = true;
                }
            }

            // (6) "[fwd: ...]" wraps a forwarded subject: unwrap and start again.
            if (s.Length >= 6 && s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s[^1] == ']')
            {
                s = s[5..^1];
                reply = true;
                continue;
            }

            return (s, reply);
        }
    }

    /// <summary>(1) Tabs and line breaks become spaces, runs of spaces one space.</summary>
    private static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            char d = c is '\t' or '\r' or '\n' ? ' ' : c;
            if (d == ' ' && sb.Length > 0 && sb[^1] == ' ')
            {
                continue;
            }

            sb.Append(d);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Length of a subj-leader at the start: one WSP, or *subj-blob subj-refwd where
    /// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":". 0 when none.
    /// </summary>
    private static int LeaderLength(string s)
    {
        if (s.Length == 0)
        {
            return 0;
        }

        if (s[0] == ' ')
        {
            return 1;
        }

        int p = 0;
        while (BlobLength(s, p) is int b and > 0)
        {
            p += b;
        }

        if (Starts(s, p, "re"))
        {
            p += 2;
        }
        else if (Starts(s, p, "fw"))
        {
            p += 2;
            if (p < s.Length && (s[p] is 'd' or 'D'))
            {
                p++;
            }
        }
        else
        {
            return 0;
        }

        while (p < s.Length && s[p] == ' ')
        {
            p++;
        }

        p += BlobLength(s, p);
        return p < s.Length && s[p] == ':' ? p + 1 : 0;
    }

    /// <summary>Length of subj-blob = "[" *BLOBCHAR "]" *WSP at <paramref name="p"/>; 0 when none.</summary>
    private static int BlobLength(string s, int p)
    {
        if (p >= s.Length || s[p] != '[')
        {
            return 0;
        }

        int q = p + 1;
        while (q < s.Length && s[q] is not ('[' or ']'))
        {
            q++;
        }

        if (q >= s.Length || s[q] != ']')
        {
            return 0;
        }

        q++;
        while (q < s.Length && s[q] == ' ')
        {
            q++;
        }

        return q - p;
    }

    private static bool Starts(string s, int p, string word) =>
        p + word.Length <= s.Length && string.Compare(s, p, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0;

    private sealed class AsciiCaseMap : StringComparer
    {
        private static char Fold(char c) => c is >= 'a' and <= 'z' ? (char)(c - 32) : c;

        public override int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            int n = Math.Min(x.Length, y.Length);
            for (int i = 0; i < n; i++)
            {
                int d = Fold(x[i]).CompareTo(Fold(y[i]));
                if (d != 0)
                {
                    return d;
                }
            }

            return x.Length.CompareTo(y.Length);
        }

        public override bool Equals(string? x, string? y) => Compare(x, y) == 0;

        public override int GetHashCode(string obj)
        {
            var h = new HashCode();
            foreach (char c in obj)
            {
                h.Add(Fold(c));
            }

            return h.ToHashCode();
        }
    }
}
