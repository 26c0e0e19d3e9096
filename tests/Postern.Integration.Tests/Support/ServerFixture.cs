using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Integration.Tests.Support;

/// <summary>
/// One real Postern for the whole integration suite: a temporary data folder set up with the
/// CLI (init, domain, users), then `postern serve --port-offset N --bind 127.0.0.1` as a child
/// process. Tests drive it with real clients.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    private readonly string[] _extraServeArgs;

    public ServerFixture()
        : this([])
    {
    }

    /// <summary>For fixtures of their own that run serve with extra switches (e.g. --Quota:DefaultStorageMB=1).</summary>
    protected ServerFixture(params string[] extraServeArgs) => _extraServeArgs = extraServeArgs;

    public const string Domain = "example.test";
    public const string Password = "correct horse battery";

    private ServeProcess? _serve;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "postern-it-" + Guid.NewGuid().ToString("N")[..8]);

    public int Offset { get; private set; }

    public string CertPath => Path.Combine(DataDir, "tls", "cert.pem");

    public X509Certificate2 Certificate { get; private set; } = null!;

    /// <summary>What the server printed so far (stdout and stderr), for failure messages.</summary>
    public string Log => _serve?.Log ?? "";

    public string Host => "127.0.0.1";

    /// <summary>Waits (bounded) until the server's output contains <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) =>
        (_serve ?? throw new InvalidOperationException("The server is not running.")).WaitForLogAsync(text, timeout ?? TimeSpan.FromSeconds(20));

    public int Port(int standardPort) => standardPort + Offset;

    public static string User(string local) => $"{local}@{Domain}";

    public async Task InitializeAsync()
    {
        var r = await PosternCli.RunAsync(DataDir, null, "init", "--hostname", "localhost", "--domain", Domain);
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var u in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            r = await PosternCli.RunAsync(DataDir, Password + "\n", "user", "add", User(u));
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        Certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CertPath));
        Offset = FindFreeOffset();
        _serve = await ServeProcess.StartAsync(["--data", DataDir, "serve", "--port-offset", Offset.ToString(), "--bind", "127.0.0.1", .. _extraServeArgs]);
    }

    /// <summary>A port offset where all eight standard ports are free on 127.0.0.1 right now.</summary>
    public static int FindFreeOffset()
    {
        int[] ports = [25, 26, 80, 110, 143, 443, 465, 587, 993, 995];
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int offset = Random.Shared.Next(20, 600) * 100;
            var sockets = new List<Socket>();
            try
            {
                foreach (var p in ports)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, p + offset));
                }

                return offset;
            }
            catch (SocketException)
            {
                // Taken: try another offset.
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("No free port offset found.");
    }

    /// <summary>Accepts exactly the certificate this server generated, valid for the name used (MailKit's callback).</summary>
    public bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(presented);
    }

    public async Task DisposeAsync()
    {
        if (_serve is not null)
        {
            // SIGTERM: Postern should stop cleanly.
            await _serve.StopAsync();
            await _serve.DisposeAsync();
        }

        Certificate?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Leave it for the OS temp cleaner; it only holds test data.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Postern server";
}
