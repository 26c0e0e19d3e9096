namespace Postern.Smtp.Session;

/// <summary>
/// One single-line SMTP reply: a basic code (RFC 5321 4.2), an enhanced status code (RFC 3463,
/// sent as RFC 2034 says) and human text. The text never contains client input.
/// </summary>
internal readonly record struct Reply(int Code, string? Enhanced, string Text)
{
    public bool IsError => Code >= 400;

    public override string ToString() => Enhanced is null ? $"{Code} {Text}" : $"{Code} {Enhanced} {Text}";
}

/// <summary>
/// Every reply the server sends, in one place, so wording and codes stay consistent
/// (the mox / maddy "errors in one file" rule). None of them echoes client input.
/// </summary>
internal static class Replies
{
    // ---- 2xx / 3xx
    public static readonly Reply Ok = new(250, "2.0.0", "Ok");
    public static readonly Reply SenderOk = new(250, "2.1.0", "Sender ok");
    public static readonly Reply RecipientOk = new(250, "2.1.5", "Recipient ok");
    public static readonly Reply Bye = new(221, "2.0.0", "Bye");
    public static readonly Reply ReadyForTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly Reply AuthSucceeded = new(235, "2.7.0", "Authentication successful");
    public static readonly Reply CannotVerify = new(252, "2.5.0", "Cannot verify users; send mail and delivery will be attempted");
    public static readonly Reply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");

    // ---- syntax and sequence (5.5.x)
    public static readonly Reply UnknownCommand = new(500, "5.5.2", "Command not recognized");
    public static readonly Reply LineTooLong = new(500, "5.5.2", "Line too long");
    public static readonly Reply BareLineFeedCommand = new(500, "5.5.2", "Command lines must end with CRLF");
    public static readonly Reply InvalidUtf8 = new(500, "5.5.2", "Command is not valid UTF-8");
    public static readonly Reply SyntaxError = new(501, "5.5.4", "Syntax error in parameters or arguments");
    public static readonly Reply NoArgumentsAllowed = new(501, "5.5.4", "This command takes no arguments");
    public static readonly Reply InvalidHelo = new(501, "5.5.4", "EHLO/HELO needs a valid domain name or address literal");
    public static readonly Reply SendHeloFirst = new(503, "5.5.1", "Send EHLO first");
    public static readonly Reply NestedMail = new(503, "5.5.1", "A transaction is already in progress; send RSET first");
    public static readonly Reply NeedMail = new(503, "5.5.1", "Send MAIL first");
    public static readonly Reply NeedRcpt = new(503, "5.5.1", "Send RCPT first");
    public static readonly Reply NoValidRecipients = new(554, "5.5.1", "No valid recipients");
    public static readonly Reply NotInTransaction = new(503, "5.5.1", "Not allowed during a mail transaction; send RSET first");
    public static readonly Reply UnknownParameter = new(555, "5.5.4", "Unsupported MAIL/RCPT parameter");
    public static readonly Reply ParametersNeedEhlo = new(555, "5.5.4", "MAIL/RCPT parameters need EHLO, not HELO");
    public static readonly Reply ExpnDisabled = new(502, "5.5.1", "EXPN is not supported");
    public static readonly Reply BadSenderSyntax = new(501, "5.1.7", "Invalid sender address syntax");
    public static readonly Reply BadRecipientSyntax = new(501, "5.1.3", "Invalid recipient address syntax");
    public static readonly Reply SourceRoute = new(501, "5.1.3", "Source routes are not accepted");
    public static readonly Reply AddressTooLong = new(501, "5.1.3", "Address too long (local part 64, domain 255, path 256 octets)");
    public static readonly Reply NonAsciiNeedsUtf8 = new(553, "5.6.7", "Non-ASCII addresses need the SMTPUTF8 parameter on MAIL");

    // ---- TLS
    public static readonly Reply TlsAlreadyActive = new(554, "5.5.1", "TLS already active");
    public static readonly Reply TlsNotAvailable = new(454, "4.7.0", "TLS not available");
    public static readonly Reply TlsFirst = new(530, "5.7.0", "Must issue a STARTTLS command first");

    // ---- AUTH (RFC 4954)
    public static readonly Reply AuthNotOffered = new(502, "5.5.1", "AUTH is not offered on this port; submit mail on the submission port");
    public static readonly Reply AlreadyAuthenticated = new(503, "5.5.1", "Already authenticated");
    public static readonly Reply UnknownMechanism = new(504, "5.5.4", "Unrecognized authentication mechanism");
    public static readonly Reply AuthCancelled = new(501, "5.0.0", "Authentication cancelled");
    public static readonly Reply InvalidBase64 = new(501, "5.5.2", "Cannot decode the response (base64 expected)");
    public static readonly Reply AuthFailed = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly Reply AuthRequired = new(530, "5.7.0", "Authentication required");

    // RFC 4954 6: 454 4.7.0 is a temporary authentication failure; the client should not ask for
    // another password. Sent when the account has Limits:MaxConnectionsPerAccountAndAddress.
    public static readonly Reply TooManyConnections = new(454, "4.7.0", "Too many connections of this account from your address; try again later");

    // ---- envelope policy
    public static readonly Reply NotYourAddress = new(553, "5.7.1", "Sender address must be the address you logged in as");
    public static readonly Reply NullSenderRefused = new(553, "5.7.1", "The null sender <> is not allowed on submission");
    public static readonly Reply NoSuchUser = new(550, "5.1.1", "No such user here");
    public static readonly Reply RelayDenied = new(550, "5.7.1", "Relaying denied");
    public static readonly Reply TooManyRecipients = new(452, "4.5.3", "Too many recipients");
    // RFC 3463 X.2.2 "mailbox full"; 552 as Dovecot's LMTP answers by default (quota_full_tempfail=no).
    // At RCPT, RFC 5321 4.5.3.1.10 lets clients treat 552 as temporary, which suits a full mailbox too.
    public static readonly Reply MailboxFull = new(552, "5.2.2", "Mailbox is full");
    public static readonly Reply SomeMailboxesFull = new(452, "4.2.2", "Mailbox is full for some recipients; try again later");
    public static readonly Reply DeclaredSizeTooLarge = new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    // ---- DATA outcomes
    public static readonly Reply MessageTooLarge = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static readonly Reply TooManyHops = new(554, "5.4.6", "Too many hops (mail loop?)");
    public static readonly Reply BareCrOrLf = new(550, "5.6.0", "Message contains bare CR or LF; line endings must be CRLF");
    public static readonly Reply StoreFailed = new(451, "4.3.0", "Local error in processing; try again later");

    // RFC 3463 4.3.1 "mail system full", 452 as RFC 5321 4.2.2 "insufficient system storage";
    // Postfix answers the same when its queue file system is short of space (queue_minfree).
    public static readonly Reply DiskFull = new(452, "4.3.1", "Insufficient system storage; try again later");

    // ---- closing
    public static readonly Reply TooManyErrors = new(421, "4.7.0", "Too many errors");
    public static readonly Reply TooManyTransactions = new(421, "4.7.0", "Too many messages in this session; send the rest in a new connection");
    public static readonly Reply ProtocolSynchronization = new(554, "5.5.0", "Error: SMTP protocol synchronization");
}
