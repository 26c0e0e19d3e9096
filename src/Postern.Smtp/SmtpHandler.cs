using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Smtp.Session;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Smtp;

/// <summary>
/// The SMTP server (RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8,
/// STARTTLS and AUTH PLAIN/LOGIN). One instance serves every SMTP endpoint; what a session allows
/// depends on <see cref="EndpointInfo.Protocol"/>: <see cref="MailProtocol.SmtpRelay"/> (port 25,
/// mail for local users only, no AUTH) or <see cref="MailProtocol.Submission"/> (465/587/26,
/// AUTH over TLS required, mail to anywhere). See README.md in this folder for the invariants.
/// </summary>
public sealed class SmtpHandler : IConnectionHandler
{
    private readonly IMailStore _store;
    private readonly Authenticator _auth;
    private readonly ServerIdentity _identity;
    private readonly SmtpOptions _options;
    private readonly ILogger<SmtpHandler> _log;

    public SmtpHandler(IMailStore store, Authenticator auth, ServerIdentity identity, SmtpOptions options, ILogger<SmtpHandler> log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.MaxMessageSize <= 0 || options.MaxRecipients <= 0 || options.MaxSubmissionRecipients <= 0 || options.MaxErrors <= 0
            || options.MaxJunkCommands <= 0 || options.MaxTransactions <= 0)
        {
            throw new ArgumentException("SMTP limits (MaxMessageSize, MaxRecipients, MaxSubmissionRecipients, MaxErrors, MaxJunkCommands, MaxTransactions) must be positive.", nameof(options));
        }

        _store = store;
        _auth = auth;
        _identity = identity;
        _options = options;
        _log = log;
    }

    public Task RunAsync(MailConnection connection, CancellationToken ct)
    {
        if (connection.Endpoint.Protocol is not (MailProtocol.SmtpRelay or MailProtocol.Submission))
        {
            throw new ArgumentException($"SmtpHandler cannot serve a {connection.Endpoint.Protocol} endpoint.", nameof(connection));
        }

        var session = new SmtpSession(connection, _store, _auth, _identity, _options, _log, ct);
        return session.RunAsync();
    }

    /// <summary>
    /// A connection limit refused this client: 421 in place of the 220 greeting (RFC 5321 3.1 and
    /// 4.2.3: service not available, closing; a temporary failure, so the client retries), with
    /// 4.7.0 as Postfix uses for its connection count and rate limits.
    /// </summary>
    public async Task RefuseAsync(MailConnection connection, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.WriteLine($"421 4.7.0 {_identity.Hostname} {reason}");
        await connection.FlushAsync(ct).ConfigureAwait(false);
    }
}
