using Microsoft.Extensions.Logging;
using Postern.Imap;
using Postern.Net;
using Postern.Pop3;
using Postern.Smtp;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Hosting;

/// <summary>Binds every configured endpoint to its protocol handler and runs the listeners.</summary>
public sealed class MailServer : IAsyncDisposable
{
    private readonly List<MailListener> _listeners = [];

    private MailServer() { }

    public IReadOnlyList<EndpointInfo> Endpoints => [.. _listeners.Select(l => l.Endpoint)];

    /// <summary>
    /// Binds all endpoints (all or nothing: if one cannot bind, the others are closed and the
    /// <see cref="EndpointBindException"/> propagates) and starts accepting.
    /// </summary>
    public static async Task<MailServer> StartAsync(
        IReadOnlyList<EndpointInfo> endpoints,
        Configuration.PosternOptions options,
        IMailStore store,
        TlsPolicy tls,
        ILoggerFactory logs)
    {
        var identity = new ServerIdentity(options.Hostname);
        // One policy from the Quota section for every protocol that stores mail.
        options.Imap.Quota = options.Quota;
        options.Smtp.Quota = options.Quota;
        var auth = new Authenticator(store, options.Auth);
        var limiter = new ConnectionLimiter(options.Limits);
        if (limiter.MaxConnections < options.Limits.MaxConnections)
        {
            HostingLog.ConnectionsCappedByDescriptors(logs.CreateLogger("Postern.Net.Listener"), DescriptorBudget.SoftLimit() ?? 0, limiter.MaxConnections, options.Limits.MaxConnections);
        }
        var smtp = new SmtpHandler(store, auth, identity, options.Smtp, logs.CreateLogger<SmtpHandler>());
        var imap = new ImapHandler(store, auth, identity, options.Imap, logs.CreateLogger<ImapHandler>());
        var pop3 = new Pop3Handler(store, auth, identity, options.Pop3, logs.CreateLogger<Pop3Handler>());
        var server = new MailServer();
        try
        {
            foreach (var endpoint in endpoints)
            {
                IConnectionHandler handler = new ClientAddressScope(endpoint.Protocol switch
                {
                    MailProtocol.Imap => imap,
                    MailProtocol.Pop3 => pop3,
                    _ => smtp,
                });
                server._listeners.Add(new MailListener(endpoint, handler, tls, limiter, logs.CreateLogger("Postern.Net.Listener")));
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        foreach (var l in server._listeners)
        {
            l.Start();
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var l in _listeners)
        {
            await l.DisposeAsync().ConfigureAwait(false);
        }

        _listeners.Clear();
    }
}
