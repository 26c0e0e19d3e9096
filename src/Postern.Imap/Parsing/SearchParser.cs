using System.Globalization;
using Postern.Storage;

namespace Postern.Imap.Parsing;

/// <summary>Parses SEARCH criteria (RFC 3501 6.4.4) into a <see cref="SearchKey"/> tree with a depth limit.</summary>
public sealed class SearchParser
{
    private readonly IReadOnlyList<ImapToken> _tokens;
    private readonly int _maxDepth;
    private int _pos;

    private SearchParser(IReadOnlyList<ImapToken> tokens, int maxDepth)
    {
        _tokens = tokens;
        _maxDepth = maxDepth;
    }

    /// <summary>The error raised for syntax problems; its message is safe to send to the client.</summary>
    public sealed class SearchSyntaxException(string message) : Exception(message);

    /// <summary>Parses all of <paramref name="tokens"/> as an implicit AND of keys.</summary>
    public static SearchKey Parse(IReadOnlyList<ImapToken> tokens, int maxDepth)
    {
        var parser = new SearchParser(tokens, maxDepth);
        var keys = new List<SearchKey>();
        while (parser._pos < tokens.Count)
        {
            keys.Add(parser.ParseKey(1));
        }

        if (keys.Count == 0)
        {
            throw new SearchSyntaxException("Missing search criteria");
        }

        return keys.Count == 1 ? keys[0] : new SearchKey { Kind = SearchKind.And, Children = keys };
    }

    private ImapToken Next()
    {
        if (_pos >= _tokens.Count)
        {
            throw new SearchSyntaxException("Missing search argument");
        }

        return _tokens[_pos++];
    }

    private string NextAString()
    {
        var t = Next();
        if (!t.IsAString)
        {
            throw new SearchSyntaxException("Expected a string");
        }

        return t.Text;
    }

    private SearchKey ParseKey(int depth)
    {
        // Recursion is bounded: NOT, OR and parentheses each count one level (DESIGN: no unbounded recursion).
        if (depth > _maxDepth)
        {
            throw new SearchSyntaxException("Search criteria nested too deeply");
        }

        var t = Next();
        if (t.Kind == ImapTokenKind.List)
        {
            if (t.Items.Count == 0)
            {
                throw new SearchSyntaxException("Empty search group");
            }

            var inner = new SearchParser(t.Items, _maxDepth);
            var keys = new List<SearchKey>();
            while (inner._pos < t.Items.Count)
            {
                keys.Add(inner.ParseKey(depth + 1));
            }

            return keys.Count == 1 ? keys[0] : new SearchKey { Kind = SearchKind.And, Children = keys };
        }

        if (t.Kind != ImapTokenKind.Atom)
        {
            throw new SearchSyntaxException("Expected a search key");
        }

        string word = t.Text.ToUpperInvariant();
        switch (word)
        {
            case "ALL": return new SearchKey { Kind = SearchKind.All };
            case "SEEN": return Flag(SearchKind.FlagSet, MessageFlags.Seen);
            case "UNSEEN": return Flag(SearchKind.FlagClear, MessageFlags.Seen);
            case "ANSWERED": return Flag(SearchKind.FlagSet, MessageFlags.Answered);
            case "UNANSWERED": return Flag(SearchKind.FlagClear, MessageFlags.Answered);
            case "DELETED": return Flag(SearchKind.FlagSet, MessageFlags.Deleted);
            case "UNDELETED": return Flag(SearchKind.FlagClear, MessageFlags.Deleted);
            case "FLAGGED": return Flag(SearchKind.FlagSet, MessageFlags.Flagged);
            case "UNFLAGGED": return Flag(SearchKind.FlagClear, MessageFlags.Flagged);
            case "DRAFT": return Flag(SearchKind.FlagSet, MessageFlags.Draft);
            case "UNDRAFT": return Flag(SearchKind.FlagClear, MessageFlags.Draft);
            case "NEW": return new SearchKey { Kind = SearchKind.New };
            case "OLD": return new SearchKey { Kind = SearchKind.Old };
            case "RECENT": return new SearchKey { Kind = SearchKind.Recent };
            case "KEYWORD":
                return new SearchKey { Kind = SearchKind.Keyword, Value = NextAString() };
            case "UNKEYWORD":
                return new SearchKey { Kind = SearchKind.Unkeyword, Value = NextAString() };
            case "FROM":
            case "TO":
            case "CC":
            case "BCC":
                return new SearchKey { Kind = SearchKind.Address, Field = word, Value = NextAString() };
            case "SUBJECT":
                return new SearchKey { Kind = SearchKind.Header, Field = word, Value = NextAString() };
            case "HEADER":
            {
                string field = NextAString();
                return new SearchKey { Kind = SearchKind.Header, Field = field.ToUpperInvariant(), Value = NextAString() };
            }

            case "BODY": return new SearchKey { Kind = SearchKind.Body, Value = NextAString() };
            case "TEXT": return new SearchKey { Kind = SearchKind.Text, Value = NextAString() };
            case "LARGER": return new SearchKey { Kind = SearchKind.Larger, Number = Number() };
            case "SMALLER": return new SearchKey { Kind = SearchKind.Smaller, Number = Number() };
            case "BEFORE": return DateKey(SearchKind.Before);
            case "ON": return DateKey(SearchKind.On);
            case "SINCE": return DateKey(SearchKind.Since);
            case "SENTBEFORE": return DateKey(SearchKind.SentBefore);
            case "SENTON": return DateKey(SearchKind.SentOn);
            case "SENTSINCE": return DateKey(SearchKind.SentSince);
            case "OLDER": return new SearchKey { Kind = SearchKind.Older, Number = Interval() };
            case "YOUNGER": return new SearchKey { Kind = SearchKind.Younger, Number = Interval() };
            case "MODSEQ": return ModSeqKey();
            case "UID":
            {
                var set = Next();
                if (set.Kind != ImapTokenKind.Atom || !SequenceSet.TryParse(set.Text, out var uids))
                {
                    throw new SearchSyntaxException("Invalid UID set");
                }

                return new SearchKey { Kind = SearchKind.UidSet, Set = uids };
            }

            case "NOT": return new SearchKey { Kind = SearchKind.Not, Children = [ParseKey(depth + 1)] };
            case "OR":
            {
                var a = ParseKey(depth + 1);
                var b = ParseKey(depth + 1);
                return new SearchKey { Kind = SearchKind.Or, Children = [a, b] };
            }
        }

        if (SequenceSet.TryParse(t.Text, out var seq))
        {
            return new SearchKey { Kind = SearchKind.SequenceSet, Set = seq };
        }

        throw new SearchSyntaxException("Unknown search key");
    }

    private static SearchKey Flag(SearchKind kind, MessageFlags flag) => new() { Kind = kind, Flag = flag };

    private long Number()
    {
        var t = Next();
        if (t.Kind != ImapTokenKind.Atom || !long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            throw new SearchSyntaxException("Expected a number");
        }

        return n;
    }

    /// <summary>RFC 5032: interval = 1*DIGIT, at least 1 second.</summary>
    private long Interval()
    {
        long n = Number();
        return n >= 1 ? n : throw new SearchSyntaxException("Interval must be at least 1");
    }

    /// <summary>
    /// MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162 3.1.5). The entry names
    /// a flag whose own mod-sequence the client means; we keep one per message, which is at least
    /// as high as any flag's, so the entry is checked for syntax and otherwise ignored.
    /// </summary>
    private SearchKey ModSeqKey()
    {
        if (_pos < _tokens.Count && _tokens[_pos].Kind == ImapTokenKind.String)
        {
            _pos++;
            var type = Next();
            if (type.Kind != ImapTokenKind.Atom || type.Text.ToLowerInvariant() is not ("priv" or "shared" or "all"))
            {
                throw new SearchSyntaxException("Invalid MODSEQ entry type");
            }
        }

        long n = Number();
        return new SearchKey { Kind = SearchKind.ModSeq, Number = n };
    }

    private SearchKey DateKey(SearchKind kind)
    {
        string text = NextAString();
        if (!TryParseDate(text, out var date))
        {
            throw new SearchSyntaxException("Invalid date");
        }

        return new SearchKey { Kind = kind, Date = date };
    }

    /// <summary>date = date-day "-" date-month "-" date-year, e.g. "1-Feb-1994" (RFC 3501 9).</summary>
    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, ["d-MMM-yyyy", "dd-MMM-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
