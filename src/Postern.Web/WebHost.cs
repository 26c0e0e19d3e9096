using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Storage;

namespace Postern.Web;

/// <summary>
/// Kestrel serving the settings page and the autoconfig documents on the configured HTTP and HTTPS
/// endpoints. HTTPS uses the mail endpoints' certificate and TLS policy (TLS 1.2/1.3, the same suites).
/// </summary>
public sealed class WebHost : IAsyncDisposable
{
    /// <summary>Largest request body Kestrel accepts at all; Autodiscover applies its own, smaller bound.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Most HTTP(S) connections at once (each holds a descriptor: deploy/postern.service counts them in LimitNOFILE).</summary>
    public const int MaxConnections = 1000;

    private readonly WebApplication _app;

    private WebHost(WebApplication app) => _app = app;

    /// <summary>Starts listening on every endpoint; throws <see cref="WebBindException"/> if one cannot bind.</summary>
    public static async Task<WebHost?> StartAsync(
        IReadOnlyList<WebEndpoint> endpoints,
        PublishedSettings settings,
        IMailStore store,
        TlsPolicy tls,
        ILoggerFactory logs,
        CancellationToken ct = default)
    {
        if (endpoints.Count == 0)
        {
            return null;
        }

        // The empty builder reads no appsettings.json and no ASPNETCORE_* variables: Postern's own
        // configuration is the only source, as for the mail endpoints.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Postern.Web" });
        builder.Services.AddSingleton<ILoggerFactory>(new QuietLoggerFactory(logs));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.MaxRequestLineSize = 8 * 1024;
            k.Limits.MaxRequestHeaderCount = 64;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            k.Limits.MaxConcurrentConnections = MaxConnections;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            foreach (var e in endpoints)
            {
                Action<ListenOptions> configure = listen =>
                {
                    listen.Protocols = e.IsHttps ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    if (e.IsHttps)
                    {
                        // The mail endpoints' policy object: same suites, no renegotiation, the
                        // certificate chosen by SNI and replaced on disk without a restart.
                        listen.UseHttps(new TlsHandshakeCallbackOptions
                        {
                            HandshakeTimeout = tls.HandshakeTimeout,
                            OnConnection = context =>
                            {
                                var o = tls.CopyOptions(context.ClientHelloInfo.ServerName);
                                o.ApplicationProtocols ??= [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
                                return ValueTask.FromResult(o);
                            },
                        });
                    }
                };
                if (e.Address.Equals(IPAddress.IPv6Any) || e.Address.Equals(IPAddress.Any))
                {
                    k.ListenAnyIP(e.Port, configure);
                }
                else
                {
                    k.Listen(e.Address, e.Port, configure);
                }
            }
        });

        var app = builder.Build();
        var https = endpoints.FirstOrDefault(e => e.IsHttps);
        var handler = new WebRequestHandler(settings, store, https?.Port ?? 443, logs.CreateLogger("Postern.Web"));
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new WebBindException(endpoints, e);
        }

        var log = logs.CreateLogger("Postern.Web");
        foreach (var e in endpoints)
        {
            WebLog.Listening(log, e);
        }

        return new WebHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A web endpoint could not listen; the message is one sentence a person can act on.</summary>
public sealed class WebBindException : Exception
{
    public WebBindException(IReadOnlyList<WebEndpoint> endpoints, IOException inner)
        : base(Describe(endpoints, inner), inner)
    {
    }

    private static string Describe(IReadOnlyList<WebEndpoint> endpoints, IOException e)
    {
        // Kestrel names the failing address in its message ("...https://127.0.0.1:443: ...").
        var failed = endpoints.FirstOrDefault(x => e.Message.Contains(":" + x.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":", StringComparison.Ordinal));
        string where = failed is null
            ? string.Join(" or ", endpoints.Select(x => $"port {x.Port} ({x.Name})"))
            : $"port {failed.Port} for {failed.Name}";
        Exception? inner = e;
        while (inner is not null and not SocketException)
        {
            inner = inner.InnerException;
        }

        return (inner as SocketException)?.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => $"Cannot listen on {where}: another program already uses that port; stop it, or choose other ports with --port-offset.",
            SocketError.AccessDenied when (failed?.Port ?? 0) < 1024 => $"Cannot listen on {where}: ports below 1024 need root or CAP_NET_BIND_SERVICE; run as root, or add --port-offset 10000.",
            SocketError.AddressNotAvailable => $"Cannot listen on {where}: that address is not on this machine; check --bind.",
            _ => $"Cannot listen on {where}: {(inner ?? e).Message.TrimEnd('.')}.",
        };
    }
}
