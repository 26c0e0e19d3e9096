namespace Postern.Pop3.Session;

/// <summary>Negative reply texts shared by several commands (after "-ERR ").</summary>
/// <remarks>Bracketed codes are the RFC 2449 section 8 / RFC 3206 response codes.</remarks>
internal static class Replies
{
    public const string UnknownCommand = "Unknown command";
    public const string WrongState = "Command not valid in this state";
    public const string Syntax = "Syntax error in arguments";
    public const string LineTooLong = "Line too long";
    public const string TooManyErrors = "Too many errors";
    public const string NoSuchMessage = "No such message";
    public const string AuthFailed = "[AUTH] Authentication failed";
    public const string StlsFirst = "[AUTH] Plaintext authentication is disabled; use STLS first";
    public const string TlsRequired = "[AUTH] Authentication requires a TLS connection";
    public const string InUse = "[IN-USE] Maildrop is locked by another session";
    public const string TooManyConnections = "[IN-USE] Too many connections of this account from your address; try again later";
    public const string MaildropUnavailable = "[SYS/TEMP] Maildrop is temporarily unavailable";
    public const string UpdateFailed = "[SYS/TEMP] Some deleted messages were not removed";

    public static string AlreadyDeleted(int number) => $"message {number} already deleted";
}
