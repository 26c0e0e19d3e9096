using Postern.Net;

namespace Postern.Configuration;

/// <summary>Turns the Tls section into a <see cref="TlsPolicy"/>: the default certificate and the per-host (SNI) ones.</summary>
public static class TlsConfig
{
    /// <exception cref="TlsConfigurationException">A configured file is missing or does not load.</exception>
    public static TlsPolicy Load(string dataDir, TlsOptions tls)
    {
        var byHost = new Dictionary<string, TlsCertificateSource>(StringComparer.OrdinalIgnoreCase);
        foreach (var (host, c) in tls.Certificates)
        {
            if (string.IsNullOrWhiteSpace(c.Certificate) || string.IsNullOrWhiteSpace(c.Key))
            {
                throw new TlsConfigurationException($"Tls:Certificates:{host} needs both Certificate and Key.");
            }

            byHost[host] = new TlsCertificateSource(Resolve(dataDir, c.Certificate), Resolve(dataDir, c.Key));
        }

        return TlsPolicy.FromPemFiles(new TlsCertificateSource(Resolve(dataDir, tls.Certificate), Resolve(dataDir, tls.Key)), byHost);
    }

    private static string Resolve(string dataDir, string path) => Path.IsPathRooted(path) ? path : Path.Combine(dataDir, path);
}
