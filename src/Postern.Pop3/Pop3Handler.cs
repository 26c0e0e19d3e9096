using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Pop3.Session;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Pop3;

/// <summary>
/// The POP3 server (RFC 1939, CAPA RFC 2449, STLS RFC 2595, AUTH PLAIN RFC 5034): one
/// <see cref="Pop3Session"/> per connection. Passwords are accepted only over TLS.
/// </summary>
public sealed class Pop3Handler : IConnectionHandler
{
    private readonly IMailStore _store;
    private readonly Authenticator _auth;
    private readonly ServerIdentity _identity;
    private readonly Pop3Options _options;
    private readonly ILogger<Pop3Handler> _log;

    public Pop3Handler(IMailStore store, Authenticator auth, ServerIdentity identity, Pop3Options options, ILogger<Pop3Handler> log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.MaxLineLength < 16 || options.MaxAuthLineLength < options.MaxLineLength || options.MaxErrors < 1)
        {
            throw new ArgumentException("POP3 options are out of range.", nameof(options));
        }

        _store = store;
        _auth = auth;
        _identity = identity;
        _options = options;
        _log = log;
    }

    public Task RunAsync(MailConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new Pop3Session(connection, _store, _auth, _identity, _options, _log);
        return session.RunAsync(ct);
    }

    /// <summary>
    /// A connection limit refused this client: -ERR in place of the greeting, with IN-USE (RFC 2449
    /// 8.1.1: try again later, the password is not at fault).
    /// </summary>
    public async Task RefuseAsync(MailConnection connection, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.WriteLine($"-ERR [IN-USE] {reason}");
        await connection.FlushAsync(ct).ConfigureAwait(false);
    }
}
