using Microsoft.Extensions.Logging;

namespace Postern.Pop3;

/// <summary>POP3 log events (ids 5000-5999, see EventIdRanges.cs). Never logs passwords, SASL data or raw command lines.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "POP3 session from {Remote} started ({Tls})")]
    public static partial void SessionStarted(this ILogger log, string remote, string tls);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "POP3 session from {Remote} upgraded to TLS: {Tls}")]
    public static partial void TlsStarted(this ILogger log, string remote, string tls);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "POP3 client {Remote} pipelined {Count} bytes after STLS; they were discarded")]
    public static partial void DiscardedAfterStls(this ILogger log, string remote, int count);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "POP3 login of {Account} from {Remote} via {Method}: {Count} messages")]
    public static partial void LoginSucceeded(this ILogger log, string account, string remote, string method, int count);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "POP3 login failed from {Remote} via {Method}")]
    public static partial void LoginFailed(this ILogger log, string remote, string method);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "POP3 maildrop of {Account} is locked by another session; refused {Remote}")]
    public static partial void MaildropInUse(this ILogger log, string account, string remote);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "POP3 session from {Remote} closed after {Count} errors")]
    public static partial void TooManyErrors(this ILogger log, string remote, int count);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "POP3 session from {Remote} timed out")]
    public static partial void IdleTimeout(this ILogger log, string remote);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "POP3 update for {Account}: {Count} messages removed")]
    public static partial void UpdateCompleted(this ILogger log, string account, int count);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Error, Message = "POP3 update for {Account} failed; deleted messages were kept")]
    public static partial void UpdateFailed(this ILogger log, Exception e, string account);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information, Message = "POP3 STLS handshake with {Remote} failed: {Reason}")]
    public static partial void TlsFailed(this ILogger log, string remote, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Debug, Message = "POP3 client {Remote} closed the connection")]
    public static partial void ClientClosed(this ILogger log, string remote);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Error, Message = "POP3 maildrop of {Account} could not be opened")]
    public static partial void MaildropFailed(this ILogger log, Exception e, string account);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "POP3 message {Uid} of {Account} vanished before it could be sent")]
    public static partial void MessageVanished(this ILogger log, uint uid, string account);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Debug, Message = "POP3 session from {Remote} ended")]
    public static partial void SessionEnded(this ILogger log, string remote);
}
