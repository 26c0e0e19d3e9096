using Microsoft.Extensions.Logging;

namespace Postern.Smtp.Session;

/// <summary>
/// SMTP log events; ids 2000-2999 belong to SMTP (EventIdRanges.cs). No event carries a password, an AUTH response or
/// raw client input; addresses are logged only once they passed the address parser.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "SMTP session on {Endpoint} from {Remote} started ({Tls})")]
    public static partial void SessionStarted(this ILogger log, string endpoint, string remote, string tls);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Discarded {Count} bytes that {Remote} pipelined after STARTTLS (possible command injection attempt)")]
    public static partial void DiscardedAfterStartTls(this ILogger log, string remote, int count);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "STARTTLS from {Remote} done: {Tls}")]
    public static partial void TlsStarted(this ILogger log, string remote, string tls);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "TLS handshake after STARTTLS from {Remote} failed: {Reason}")]
    public static partial void TlsFailed(this ILogger log, string remote, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "{Remote} authenticated as {Account} with {Mechanism}")]
    public static partial void Authenticated(this ILogger log, string remote, string account, string mechanism);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Authentication with {Mechanism} from {Remote} failed")]
    public static partial void AuthenticationFailed(this ILogger log, string remote, string mechanism);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Accepted message {Id} from <{ReturnPath}> for {Local} local and {Remote} remote recipients, {Size} octets")]
    public static partial void MessageAccepted(this ILogger log, string id, string returnPath, int local, int remote, long size);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Rejected message {Id} from {Client}: {Reason}")]
    public static partial void MessageRejected(this ILogger log, string id, string client, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Storing message {Id} failed; the client was told to retry (451, or 452 for a full disk)")]
    public static partial void StoreFailed(this ILogger log, Exception e, string id);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Closing SMTP session from {Remote}: {Reason}")]
    public static partial void Closing(this ILogger log, string remote, string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Could not send the final reply to {Remote}: {Reason}")]
    public static partial void FinalReplyFailed(this ILogger log, string remote, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Refused recipient {Account} from {Remote}: mailbox full (quota)")]
    public static partial void MailboxFull(this ILogger log, string account, string remote);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "{Remote} sent more than {Limit} commands without delivering mail; each further one counts as an error")]
    public static partial void JunkLimitReached(this ILogger log, string remote, int limit);
}
