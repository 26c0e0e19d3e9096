using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Net;

/// <summary>Makes the self-signed certificate that <c>postern init</c> writes, so TLS works from the first start.</summary>
public static class SelfSignedCertificate
{
    /// <summary>
    /// Creates an ECDSA P-256 certificate for <paramref name="hostname"/>, valid for two years, with
    /// "localhost", 127.0.0.1 and ::1 as extra names so local clients can verify it.
    /// </summary>
    public static X509Certificate2 Create(string hostname, IEnumerable<string>? extraNames = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { hostname, "localhost" };
        foreach (var n in extraNames ?? [])
        {
            names.Add(n);
        }

        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(n);
            }
        }

        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
    }

    /// <summary>Writes the certificate and its private key as PEM; the key file is readable by the owner only.</summary>
    public static void WritePem(X509Certificate2 certificate, string certPath, string keyPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certPath))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyPath))!);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("Certificate has no ECDSA key.");
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var w = new StreamWriter(keyPath, System.Text.Encoding.ASCII, options))
        {
            w.Write(keyPem);
            w.Write('\n');
        }

        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
    }
}
