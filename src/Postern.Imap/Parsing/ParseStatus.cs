namespace Postern.Imap.Parsing;

/// <summary>What a pure parser made of the bytes it was given.</summary>
public enum ParseStatus
{
    /// <summary>A whole command was parsed.</summary>
    Complete,

    /// <summary>The bytes are a valid prefix; more input is needed.</summary>
    NeedMoreData,

    /// <summary>The bytes cannot be a valid command; the error says why.</summary>
    Invalid,
}
