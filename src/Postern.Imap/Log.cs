using Microsoft.Extensions.Logging;

namespace Postern.Imap;

/// <summary>The IMAP server's log messages, with fixed event ids (3000-3999, see EventIdRanges.cs). Never raw input, never passwords.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "IMAP session started ({Tls})")]
    public static partial void SessionStarted(ILogger logger, string tls);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "IMAP session ended")]
    public static partial void SessionEnded(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "IMAP login succeeded for account {AccountId} via {Mechanism}")]
    public static partial void LoginSucceeded(ILogger logger, long accountId, string mechanism);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "IMAP login failed via {Mechanism}")]
    public static partial void LoginFailed(ILogger logger, string mechanism);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "STARTTLS: discarded {Count} bytes the client sent after the STARTTLS command (possible command injection)")]
    public static partial void DiscardedAtUpgrade(ILogger logger, int count);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "IMAP session idle for too long")]
    public static partial void IdleTimeout(ILogger logger);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "IMAP session closed after {Count} invalid commands")]
    public static partial void TooManyBadCommands(ILogger logger, int count);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "IMAP command {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "IMAP session ended by an I/O error")]
    public static partial void ConnectionError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Information, Message = "IMAP TLS upgrade done ({Tls})")]
    public static partial void TlsStarted(ILogger logger, string tls);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "IMAP session closed: non-synchronising literal over the limit")]
    public static partial void LiteralTooLarge(ILogger logger);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "IMAP account {AccountId} created a mailbox")]
    public static partial void MailboxCreated(ILogger logger, long accountId);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "IMAP account {AccountId} deleted a mailbox")]
    public static partial void MailboxDeleted(ILogger logger, long accountId);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "IMAP account {AccountId} appended a message of {Size} octets")]
    public static partial void Appended(ILogger logger, long accountId, long size);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Debug, Message = "IMAP IDLE started")]
    public static partial void IdleStarted(ILogger logger);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Debug, Message = "IMAP IDLE ended")]
    public static partial void IdleEnded(ILogger logger);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning, Message = "IMAP APPEND could not store a message: {Kind}: {Reason}")]
    public static partial void AppendStoreFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Warning, Message = "IMAP APPEND spool file could not be closed cleanly: {Reason}")]
    public static partial void SpoolCloseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Information, Message = "IMAP session closed after more than {Count} NOOP/CHECK/CAPABILITY commands without progress")]
    public static partial void TooManyJunkCommands(ILogger logger, int count);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "IMAP {Mechanism} login for account {AccountId} failed: the account has no SCRAM keys yet (its password was set before Postern kept them); one login with its password over LOGIN or PLAIN, or `postern user passwd`, writes them")]
    public static partial void ScramNoKeys(ILogger logger, string mechanism, long accountId);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Debug, Message = "IMAP {Mechanism} exchange refused: {Reason}")]
    public static partial void ScramFailed(ILogger logger, string mechanism, Postern.Storage.Accounts.ScramFailure reason);
}
