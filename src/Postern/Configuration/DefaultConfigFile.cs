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
          // Replacing the files (e.g. a renewed certificate) takes effect without a restart,
          // normally within a second, at the latest after ReloadCheckSeconds; a replacement that
          // does not load (garbage, key not matching, half-written) is logged and the old
          // certificate keeps serving. Certificates adds one certificate per host name, chosen
          // by the name the client asks for (SNI) on every TLS endpoint, https included; other
          // names get the default. Example:
          //   "Certificates": {
          //     "mail.example.org": { "Certificate": "tls/mail.example.org/cert.pem", "Key": "tls/mail.example.org/key.pem" },
          //     "*.example.net":    { "Certificate": "tls/example.net/cert.pem",      "Key": "tls/example.net/key.pem" }
          //   }
          "Tls": { "Certificate": "tls/cert.pem", "Key": "tls/key.pem", "ReloadCheckSeconds": 30 },

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

          // Connection limits, sized for an office of 40 behind one NAT address (5 IMAP connections
          // each). MaxConnections and MaxConnectionsPerAddress are hard ceilings: past them a
          // connection is dropped unanswered. Past the others the client is refused in its protocol's
          // words, after TLS (IMAP "* BYE [UNAVAILABLE]", POP3 "-ERR [IN-USE]", SMTP "421 4.7.0"),
          // and the log names the key. MaxConnectionsPerAccountAndAddress counts logins per protocol
          // (like Dovecot's mail_max_userip_connections); MaxNewConnectionsPerAddressPerMinute is
          // Postfix's anvil rate (0 = off). Time bounds (hh:mm:ss) and more keys: see the README.
          "Limits": {
            "MaxConnections": 10000,
            "MaxConnectionsPerAddress": 1000,
            "MaxUnauthenticatedConnectionsPerAddress": 300,
            "MaxConnectionsPerAccountAndAddress": 10,
            "MaxNewConnectionsPerAddressPerMinute": 600,
            "PreLoginTimeout": "00:03:00"
          },

          // Counts per SMTP session: recipients per message on port 25 and on submission (more get
          // "452 4.5.3"), commands that move no mail (NOOP, RSET, VRFY...) before each further one
          // counts as an error, and messages per connection (then "421 4.7.0", the sender reconnects).
          // IMAP: NOOP/CHECK/CAPABILITY allowed within JunkCommandWindow with nothing else between them.
          "Smtp": { "MaxRecipients": 1000, "MaxSubmissionRecipients": 100, "MaxJunkCommands": 100, "MaxTransactions": 1000 },
          "Imap": { "MaxJunkCommands": 100, "JunkCommandWindow": "00:01:00" },

          // Storage limit per account in MB (1 MB = 1024 KiB), reported by IMAP QUOTA and enforced on
          // IMAP APPEND/COPY and SMTP delivery ("552 5.2.2 Mailbox is full"). 0 means unlimited;
          // Users overrides it for single addresses (0 exempts one), e.g. "Users": { "ceo@example.org": 0 }.
          "Quota": { "DefaultStorageMB": 0, "Users": { } }
        }

        """;
}
