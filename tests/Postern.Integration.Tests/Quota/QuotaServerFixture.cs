using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Quota;

/// <summary>
/// A Postern of its own, configured with small quotas through serve's --Quota:... switches: 1 MB for
/// everyone, 2 MB for alice (a per-user override). Built like <see cref="ServerFixture"/>, which has
/// no way to pass configuration; see the report for a shared option that would replace this copy.
/// </summary>
public sealed class QuotaServerFixture : IAsyncLifetime
{
    public const string Domain = ServerFixture.Domain;
    public const string Password = ServerFixture.Password;
    public const long LimitBytes = 1024 * 1024;

    private ServeProcess? _serve;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "postern-quota-it-" + Guid.NewGuid().ToString("N")[..8]);

    public int Offset { get; private set; }

    public string CertPath => Path.Combine(DataDir, "tls", "cert.pem");

    public X509Certificate2 Certificate { get; private set; } = null!;

    public string Log => _serve?.Log ?? "";

    public int Port(int standardPort) => standardPort + Offset;

    public static string User(string local) => ServerFixture.User(local);

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
        Offset = ServerFixture.FindFreeOffset();
        _serve = await ServeProcess.StartAsync(
        [
            "--data", DataDir, "serve", "--port-offset", Offset.ToString(), "--bind", "127.0.0.1",
            "--Quota:DefaultStorageMB=1", $"--Quota:Users:{User("alice")}=2",
        ]);
    }

    /// <summary>Accepts exactly the certificate this server generated (as ServerFixture does).</summary>
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

    public async Task<ImapClient> ImapAsync(string user)
    {
        var c = new ImapClient { ServerCertificateValidationCallback = ValidateCertificate, Timeout = 20_000 };
        await c.ConnectAsync("localhost", Port(993), MailKit.Security.SecureSocketOptions.SslOnConnect);
        await c.AuthenticateAsync(user, Password);
        return c;
    }

    public async Task<SmtpClient> SmtpAsync(int standardPort, string? user = null)
    {
        var c = new SmtpClient { ServerCertificateValidationCallback = ValidateCertificate, Timeout = 20_000, LocalDomain = "client.test" };
        await c.ConnectAsync("localhost", Port(standardPort), MailKitClients.ModeFor(standardPort));
        if (user is not null)
        {
            await c.AuthenticateAsync(user, Password);
        }

        return c;
    }

    public async Task DisposeAsync()
    {
        if (_serve is not null)
        {
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
public sealed class QuotaServerCollection : ICollectionFixture<QuotaServerFixture>
{
    public const string Name = "Postern server with quotas";
}
