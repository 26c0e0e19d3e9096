namespace Postern.Imap.Parsing;

/// <summary>The SEARCH keys of RFC 3501 6.4.4.</summary>
public enum SearchKind
{
    All,
    And,
    Or,
    Not,
    FlagSet,
    FlagClear,
    Keyword,
    Unkeyword,
    New,
    Old,
    Recent,
    SequenceSet,
    UidSet,
    Header,

    /// <summary>FROM, TO, CC, BCC: the field's raw text or its parsed addresses (see SearchEngine).</summary>
    Address,
    Body,
    Text,
    Larger,
    Smaller,
    Before,
    On,
    Since,
    SentBefore,
    SentOn,
    SentSince,

    /// <summary>RFC 7162 3.1.5: MODSEQ at least <see cref="SearchKey.Number"/>.</summary>
    ModSeq,

    /// <summary>RFC 5032: internal date more than <see cref="SearchKey.Number"/> seconds ago.</summary>
    Older,

    /// <summary>RFC 5032: internal date at most <see cref="SearchKey.Number"/> seconds ago.</summary>
    Younger,
}

/// <summary>One node of a parsed SEARCH program. A tree whose depth the parser bounds.</summary>
public sealed class SearchKey
{
    public required SearchKind Kind { get; init; }

    /// <summary>Children of And, Or (two) and Not (one).</summary>
    public IReadOnlyList<SearchKey> Children { get; init; } = [];

    public Postern.Storage.MessageFlags Flag { get; init; }

    public SequenceSet? Set { get; init; }

    /// <summary>Header field name for Header (SUBJECT maps to Header too) and Address (FROM, TO, CC, BCC).</summary>
    public string Field { get; init; } = "";

    public string Value { get; init; } = "";

    public long Number { get; init; }

    public DateOnly Date { get; init; }

    /// <summary>True when evaluating this key needs the message body or headers.</summary>
    public bool NeedsContent => Kind is SearchKind.Header or SearchKind.Address or SearchKind.Body or SearchKind.Text
        or SearchKind.SentBefore or SearchKind.SentOn or SearchKind.SentSince
        || Children.Any(c => c.NeedsContent);

    /// <summary>True when the MODSEQ key is used anywhere: results then carry MODSEQ (RFC 7162 3.1.5).</summary>
    public bool UsesModSeq => Kind == SearchKind.ModSeq || Children.Any(c => c.UsesModSeq);

    /// <summary>True when evaluating this key needs more than the header block (BODY and TEXT search the body).</summary>
    public bool NeedsBody => Kind is SearchKind.Body or SearchKind.Text || Children.Any(c => c.NeedsBody);
}
