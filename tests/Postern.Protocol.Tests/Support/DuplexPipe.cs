using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Protocol.Tests.Support;

/// <summary>
/// Runs one protocol session over an in-memory stream and gives the test the client's end.
/// TLS works too (StartTls on the client side wraps its end in an SslStream trusting <see cref="Certificate"/>).
/// </summary>
public static class TestServer
{
    private static readonly Lazy<TlsPolicy> SharedTls = new(() =>
    {
        var cert = SelfSignedCertificate.Create("mail.test");
        return new TlsPolicy(cert, TimeSpan.FromSeconds(10));
    });

    public static TlsPolicy Tls => SharedTls.Value;

    /// <summary>A raw client on the client end of a session, trusting exactly the test certificate (for mail.test).</summary>
    public static RawClient Client(Stream stream) => new(stream, ValidateCertificate, "mail.test");

    private static bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate?.GetCertHashString() == Tls.Certificate.GetCertHashString();

    /// <summary>Creates a store with domain example.org and user alice@example.org / password "secret" (fast hash, and SCRAM keys as `postern user add` writes them).</summary>
    public static async Task<(MemoryMailStore Store, Authenticator Auth, Account Alice)> CreateStoreAsync()
    {
        var store = new MemoryMailStore();
        var (auth, alice) = await AddAliceAsync(store);
        return (store, auth, alice);
    }

    /// <summary>Adds domain example.org and alice@example.org / "secret" to <paramref name="store"/> (any store, e.g. a <see cref="RecordingStore"/>).</summary>
    public static async Task<(Authenticator Auth, Account Alice)> AddAliceAsync(IMailStore store)
    {
        await store.AddDomainAsync("example.org");
        var alice = await store.AddAccountAsync("alice@example.org", PasswordHasher.Hash("secret", iterations: 1000), ScramKeys.Derive("secret"));
        return (new Authenticator(store, failureDelay: TimeSpan.FromMilliseconds(10)), alice);
    }

    /// <summary>Starts <paramref name="handler"/> on a new in-memory connection and returns the client end plus the session task.</summary>
    public static (Stream Client, Task Session) Start(IConnectionHandler handler, MailProtocol protocol, TlsMode mode, CancellationToken ct = default)
    {
        var (server, client) = DuplexStream.CreatePair();
        var endpoint = new EndpointInfo("test", protocol, IPAddress.Loopback, 0, mode);
        var connection = new MailConnection(server, endpoint, new IPEndPoint(IPAddress.Loopback, 12345), Tls);
        var session = Task.Run(async () =>
        {
            await using (connection)
            {
                if (mode == TlsMode.Implicit)
                {
                    await connection.AuthenticateImplicitTlsAsync(ct);
                }

                await handler.RunAsync(connection, ct);
            }
        }, ct);
        return (client, session);
    }
}
