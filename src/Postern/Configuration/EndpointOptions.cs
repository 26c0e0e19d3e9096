using Postern.Net;

namespace Postern.Configuration;

/// <summary>One endpoint in the configuration file (section Endpoints:NAME).</summary>
public sealed class EndpointOptions
{
    /// <summary>smtp (MX relay), submission, imap or pop3.</summary>
    public string Protocol { get; set; } = "";

    /// <summary>"*" for every address (IPv6 and IPv4), or one IP address.</summary>
    public string Address { get; set; } = "*";

    public int Port { get; set; }

    /// <summary>Implicit (TLS from the first byte) or StartTls.</summary>
    public TlsMode Mode { get; set; }

    public bool Enabled { get; set; } = true;
}
