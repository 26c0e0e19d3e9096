namespace Postern.Configuration;

/// <summary>The commented postern.json that init writes. Comments are allowed by the JSON configuration reader.</summary>
public static class DefaultConfigFile
{
    public static string Render(string hostname) => $$"""
        // Postern configuration. Every key can be overridden by an environment variable
        // (POSTERN_Section__Key, e.g. POSTERN_Endpoints__imaps__Port=1993) or by a switch
        // to `postern serve` (--Section:Key=value, e.g. --Endpoints:smtp:Enabled=false).
        // Domains and users live in the store: manage them with `postern domain` and `postern user`.
        {
          // The name email programs connect to; the TLS certificate must be valid for it.
          "Hostname": "{{hostname}}",

          // PEM certificate chain and private key, relative to this folder unless absolute.
          "Tls": { "Certificate": "tls/cert.pem", "Key": "tls/key.pem" },

          // The endpoints. Mode is Implicit (TLS from the first byte) or StartTls.
          // Address "*" listens on every address; `serve --bind ADDR` overrides all of them,
          // and `serve --port-offset N` adds N to every port, HTTP and HTTPS included.
          // https serves the settings page (/) and every autoconfig document: Thunderbird
          // (/mail/config-v1.1.xml), Outlook Autodiscover (/autodiscover/autodiscover.xml and .json),
          // the IETF PACC draft (/.well-known/user-agent-configuration.json) and Apple profiles
          // (/profile.mobileconfig?emailaddress=ADDRESS). It uses the certificate above.
          // http serves only the Thunderbird autoconfig document (never anything secret) and
          // redirects everything else to https. Set "Enabled": false on either to turn it off.
          "Endpoints": {
            "imaps":          { "Protocol": "imap",       "Port": 993, "Mode": "Implicit" },
            "imap":           { "Protocol": "imap",       "Port": 143, "Mode": "StartTls" },
            "pop3s":          { "Protocol": "pop3",       "Port": 995, "Mode": "Implicit" },
            "pop3":           { "Protocol": "pop3",       "Port": 110, "Mode": "StartTls" },
            "submissions":    { "Protocol": "submission", "Port": 465, "Mode": "Implicit" },
            "submission":     { "Protocol": "submission", "Port": 587, "Mode": "StartTls" },
            "submission-alt": { "Protocol": "submission", "Port": 26,  "Mode": "StartTls" },
            "smtp":           { "Protocol": "smtp",       "Port": 25,  "Mode": "StartTls" },
            "https":          { "Protocol": "https",      "Port": 443 },
            "http":           { "Protocol": "http",       "Port": 80 }
          },

          // Connections open at once, in total and from one client address.
          "Limits": { "MaxConnections": 10000, "MaxConnectionsPerAddress": 100 },

          // Storage limit per account in MB (1 MB = 1024 KiB), reported by IMAP QUOTA and enforced on
          // IMAP APPEND/COPY and SMTP delivery ("552 5.2.2 Mailbox is full"). 0 means unlimited;
          // Users overrides it for single addresses (0 exempts one), e.g. "Users": { "ceo@example.org": 0 }.
          "Quota": { "DefaultStorageMB": 0, "Users": { } }
        }

        """;
}
