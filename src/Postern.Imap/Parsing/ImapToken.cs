namespace Postern.Imap.Parsing;

/// <summary>The kinds of value a command argument can be (RFC 3501 4).</summary>
public enum ImapTokenKind
{
    /// <summary>An atom, including flags (\Seen), sequence sets and fetch items with their [section]&lt;partial&gt;.</summary>
    Atom,

    /// <summary>A quoted string or a literal.</summary>
    String,

    /// <summary>A parenthesised list.</summary>
    List,
}

/// <summary>One argument of a command: an atom, a string or a list of tokens.</summary>
public sealed class ImapToken
{
    private static readonly IReadOnlyList<ImapToken> NoItems = [];

    private ImapToken(ImapTokenKind kind, string text, IReadOnlyList<ImapToken> items, bool isLiteral)
    {
        Kind = kind;
        Text = text;
        Items = items;
        IsLiteral = isLiteral;
    }

    public ImapTokenKind Kind { get; }

    /// <summary>The atom or the string's content (literals decoded as UTF-8); empty for lists.</summary>
    public string Text { get; }

    /// <summary>The children of a list; empty otherwise.</summary>
    public IReadOnlyList<ImapToken> Items { get; }

    public bool IsLiteral { get; }

    /// <summary>True for the atom NIL (a quoted "NIL" is a string, not nil).</summary>
    public bool IsNil => Kind == ImapTokenKind.Atom && Text.Equals("NIL", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for atoms and strings: what RFC 3501 calls an astring.</summary>
    public bool IsAString => Kind != ImapTokenKind.List;

    public static ImapToken Atom(string text) => new(ImapTokenKind.Atom, text, NoItems, false);

    public static ImapToken String(string text, bool literal) => new(ImapTokenKind.String, text, NoItems, literal);

    public static ImapToken List(IReadOnlyList<ImapToken> items) => new(ImapTokenKind.List, "", items, false);

    public override string ToString() => Kind switch
    {
        ImapTokenKind.List => "(" + string.Join(' ', Items) + ")",
        ImapTokenKind.String => "\"" + Text + "\"",
        _ => Text,
    };
}
