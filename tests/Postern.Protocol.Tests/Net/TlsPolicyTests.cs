using System.Security.Cryptography.X509Certificates;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>SNI selection and certificate reloading in TlsPolicy (issue 5 point 9).</summary>
public sealed class TlsPolicyTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("postern-tlspolicy-");

    public void Dispose() => _dir.Delete(recursive: true);

    private TlsCertificateSource Write(string name, string? folder = null)
    {
        string dir = Path.Combine(_dir.FullName, folder ?? name);
        Directory.CreateDirectory(dir);
        using var c = SelfSignedCertificate.Create(name);
        var source = new TlsCertificateSource(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
        SelfSignedCertificate.WritePem(c, source.CertificatePath, source.KeyPath);
        return source;
    }

    private static string Cn(X509Certificate2 c) => c.GetNameInfo(X509NameType.SimpleName, false);

    [Fact]
    public void TheCertificateFollowsTheServerName()
    {
        var policy = TlsPolicy.FromPemFiles(Write("default.test"), new Dictionary<string, TlsCertificateSource>
        {
            ["mail.one.test"] = Write("mail.one.test"),
            ["*.wild.test"] = Write("any.wild.test"),
        });

        Assert.Equal("mail.one.test", Cn(policy.SelectCertificate("mail.one.test")));
        Assert.Equal("mail.one.test", Cn(policy.SelectCertificate("MAIL.ONE.TEST.")));
        Assert.Equal("any.wild.test", Cn(policy.SelectCertificate("x.wild.test")));
        Assert.Equal("default.test", Cn(policy.SelectCertificate("a.b.wild.test")));
        Assert.Equal("default.test", Cn(policy.SelectCertificate("wild.test")));
        Assert.Equal("default.test", Cn(policy.SelectCertificate("other.test")));
        Assert.Equal("default.test", Cn(policy.SelectCertificate(null)));
        Assert.Same(policy.SelectOptions("mail.one.test"), policy.SelectOptions("mail.one.test"));
        Assert.NotSame(policy.CopyOptions("mail.one.test"), policy.CopyOptions("mail.one.test"));
        Assert.False(policy.SelectOptions(null).AllowRenegotiation);
    }

    [Theory]
    [InlineData("not a host")]
    [InlineData("")]
    [InlineData("*")]
    public void AnInvalidHostNameIsAConfigurationError(string host)
    {
        var e = Assert.Throws<TlsConfigurationException>(() =>
            TlsPolicy.FromPemFiles(Write("default.test"), new Dictionary<string, TlsCertificateSource> { [host] = Write("x.test") }));
        Assert.Contains("Tls:Certificates", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplacementsAreTakenAndBrokenOnesRefusedOnce()
    {
        var source = Write("first.test", "main");
        var policy = TlsPolicy.FromPemFiles(source.CertificatePath, source.KeyPath);
        Assert.Empty(policy.CheckForChanges());

        Write("second.test", "main");
        var taken = Assert.Single(policy.CheckForChanges());
        Assert.True(taken.Accepted, taken.Error);
        Assert.Equal("second.test", Cn(policy.Certificate));

        File.WriteAllText(source.CertificatePath, "garbage\n");
        var refused = Assert.Single(policy.CheckForChanges());
        Assert.False(refused.Accepted);
        Assert.Equal("second.test", Cn(policy.Certificate));
        Assert.Empty(policy.CheckForChanges());

        // A new certificate beside the old key.
        var other = Write("third.test", "other");
        File.Copy(other.CertificatePath, source.CertificatePath, overwrite: true);
        var mismatch = Assert.Single(policy.CheckForChanges());
        Assert.False(mismatch.Accepted);
        Assert.Equal("second.test", Cn(policy.Certificate));

        File.Copy(other.KeyPath, source.KeyPath, overwrite: true);
        Assert.True(Assert.Single(policy.CheckForChanges()).Accepted);
        Assert.Equal("third.test", Cn(policy.Certificate));
    }

    [Fact]
    public void AnExpiredReplacementIsRefused()
    {
        var source = Write("first.test", "main");
        var policy = TlsPolicy.FromPemFiles(source.CertificatePath, source.KeyPath);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=old.test", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddDays(-1));
        File.WriteAllText(source.KeyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(source.CertificatePath, expired.ExportCertificatePem() + "\n");
        var outcome = Assert.Single(policy.CheckForChanges());
        Assert.False(outcome.Accepted);
        Assert.Contains("expired", outcome.Error, StringComparison.Ordinal);
        Assert.Equal("first.test", Cn(policy.Certificate));
    }

    [Fact]
    public void AFixedCertificateHasNothingToWatch()
    {
        using var c = SelfSignedCertificate.Create("fixed.test");
        var policy = new TlsPolicy(c);
        Assert.Empty(policy.Sources);
        Assert.Empty(policy.CheckForChanges());
        Assert.Same(c, policy.SelectCertificate("anything.test"));
    }
}
