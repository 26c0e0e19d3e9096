using System.Text.Json.Serialization;

namespace Postern.Check;

// The result model of `postern check`, which is also its --json output. The property names
// below are a stable contract for scripts: add new ones, never rename or remove one.
//
// Report (top level):
//   host, serverName, portOffset      what was checked, and the name certificates must match
//   secure                             true when a user can connect securely to at least one incoming
//                                      (IMAP/POP3) and one outgoing (465/587/26) endpoint
//   incomingSecure, outgoingSecure     the two halves of that rule
//   exitCode                           0 when secure, 2 otherwise
//   endpoints[]                        one EndpointResult per probed port (see below)
//   autoconfig[]                       one AutoconfigResult per autoconfig/Autodiscover URL
//   settings                           what to choose in each email program for the endpoints that
//                                      work securely (the `postern settings --json` shape), or null
//   problems[]                         sentences saying what is wrong where no secure endpoint exists
//
// Modes (expectedMode, actualMode): "implicit-tls", "starttls", "plaintext" (a greeting, but no
// working TLS), "unknown" (it answered, but not as the expected protocol); actualMode is null
// when the port did not answer.
// Severities: "error" makes the endpoint unusable securely; "warning" is a risk for clients set
// up wrongly (or a mismatch with the usual port); "info" is for the record.

/// <summary>One thing the check noticed about an endpoint.</summary>
public sealed record Finding(
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Info = "info";
}

/// <summary>The server certificate as seen by the check.</summary>
public sealed class CertificateResult
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";

    [JsonPropertyName("issuer")] public string Issuer { get; set; } = "";

    [JsonPropertyName("notBefore")] public DateTimeOffset NotBefore { get; set; }

    [JsonPropertyName("notAfter")] public DateTimeOffset NotAfter { get; set; }

    /// <summary>Whole days until NotAfter; negative once expired.</summary>
    [JsonPropertyName("daysUntilExpiry")] public int DaysUntilExpiry { get; set; }

    /// <summary>The name the certificate was checked against (--servername, else the host).</summary>
    [JsonPropertyName("serverName")] public string ServerName { get; set; } = "";

    [JsonPropertyName("nameMatches")] public bool NameMatches { get; set; }

    [JsonPropertyName("trusted")] public bool Trusted { get; set; }

    /// <summary>"system" (the system trust store), "ca-file" (--ca) or null when not trusted.</summary>
    [JsonPropertyName("trustAnchor")] public string? TrustAnchor { get; set; }

    [JsonPropertyName("selfSigned")] public bool SelfSigned { get; set; }

    [JsonPropertyName("expired")] public bool Expired { get; set; }

    [JsonPropertyName("notYetValid")] public bool NotYetValid { get; set; }

    /// <summary>Why the chain did not build, when it did not.</summary>
    [JsonPropertyName("chainProblem")] public string? ChainProblem { get; set; }
}

/// <summary>The negotiated TLS session.</summary>
public sealed class TlsResult
{
    /// <summary>"TLS 1.3", "TLS 1.2", ...</summary>
    [JsonPropertyName("version")] public string Version { get; set; } = "";

    /// <summary>The IANA cipher suite name, e.g. TLS_AES_256_GCM_SHA384.</summary>
    [JsonPropertyName("cipherSuite")] public string CipherSuite { get; set; } = "";

    [JsonPropertyName("certificate")] public CertificateResult? Certificate { get; set; }
}

/// <summary>Everything learnt about one endpoint.</summary>
public sealed class EndpointResult
{
    /// <summary>imaps, imap, pop3s, pop3, submissions, submission, submission-alt, smtp (the configuration names).</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>imap, pop3, submission, smtp.</summary>
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "";

    /// <summary>incoming, outgoing or mx.</summary>
    [JsonPropertyName("role")] public string Role { get; set; } = "";

    [JsonPropertyName("port")] public int Port { get; set; }

    [JsonPropertyName("standardPort")] public int StandardPort { get; set; }

    [JsonPropertyName("expectedMode")] public string ExpectedMode { get; set; } = "";

    [JsonPropertyName("reachable")] public bool Reachable { get; set; }

    [JsonPropertyName("actualMode")] public string? ActualMode { get; set; }

    /// <summary>The server's greeting (first line, printable ASCII only, shortened).</summary>
    [JsonPropertyName("greeting")] public string? Greeting { get; set; }

    /// <summary>STARTTLS/STLS advertised in the plaintext capabilities; null when never plaintext.</summary>
    [JsonPropertyName("startTlsOffered")] public bool? StartTlsOffered { get; set; }

    /// <summary>A password could be sent before TLS (AUTH in plaintext EHLO, no LOGINDISABLED, POP3 USER/AUTH accepted).</summary>
    [JsonPropertyName("passwordBeforeTls")] public bool? PasswordBeforeTls { get; set; }

    /// <summary>"not-executed", "executed" (CVE-2011-0411 class) or "not-tested".</summary>
    [JsonPropertyName("startTlsInjection")] public string StartTlsInjection { get; set; } = "not-tested";

    /// <summary>Login/AUTH offered once TLS is up; null when TLS never came up.</summary>
    [JsonPropertyName("authAfterTls")] public bool? AuthAfterTls { get; set; }

    [JsonPropertyName("tls")] public TlsResult? Tls { get; set; }

    /// <summary>A correctly set-up email program can use this endpoint securely.</summary>
    [JsonPropertyName("secure")] public bool Secure { get; set; }

    [JsonPropertyName("findings")] public List<Finding> Findings { get; set; } = [];

    [JsonPropertyName("elapsedMs")] public long ElapsedMs { get; set; }

    public void Add(string severity, string code, string message) => Findings.Add(new Finding(severity, code, message));
}

/// <summary>One autoconfig or Autodiscover URL.</summary>
public sealed class AutoconfigResult
{
    /// <summary>autoconfig-https, autoconfig-http, well-known, autodiscover.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    [JsonPropertyName("url")] public string Url { get; set; } = "";

    [JsonPropertyName("method")] public string Method { get; set; } = "GET";

    /// <summary>A document of the expected kind came back (HTTP 200 with the expected XML root).</summary>
    [JsonPropertyName("served")] public bool Served { get; set; }

    [JsonPropertyName("status")] public int? Status { get; set; }

    [JsonPropertyName("detail")] public string Detail { get; set; } = "";
}

/// <summary>The whole diagnosis.</summary>
public sealed class CheckReport
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";

    [JsonPropertyName("serverName")] public string ServerName { get; set; } = "";

    [JsonPropertyName("portOffset")] public int PortOffset { get; set; }

    [JsonPropertyName("secure")] public bool Secure { get; set; }

    [JsonPropertyName("incomingSecure")] public bool IncomingSecure { get; set; }

    [JsonPropertyName("outgoingSecure")] public bool OutgoingSecure { get; set; }

    [JsonPropertyName("exitCode")] public int ExitCode { get; set; }

    [JsonPropertyName("endpoints")] public List<EndpointResult> Endpoints { get; set; } = [];

    [JsonPropertyName("autoconfig")] public List<AutoconfigResult> Autoconfig { get; set; } = [];

    [JsonPropertyName("settings")] public System.Text.Json.Nodes.JsonNode? Settings { get; set; }

    [JsonPropertyName("problems")] public List<string> Problems { get; set; } = [];
}
