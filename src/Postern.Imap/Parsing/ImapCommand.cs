namespace Postern.Imap.Parsing;

/// <summary>A complete, tokenised command: tag, upper-cased name ("UID FETCH" for UID commands) and arguments.</summary>
public sealed record ImapCommand(string Tag, string Name, IReadOnlyList<ImapToken> Args);
