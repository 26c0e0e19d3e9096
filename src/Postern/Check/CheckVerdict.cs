using System.Net;
using System.Text.Json.Nodes;
using Postern.Net;
using Postern.Settings;

namespace Postern.Check;

/// <summary>
/// The rules that turn probe facts into findings, decide which endpoints are secure, and pick
/// the exit status. Pure (no I/O), so unit tests can pin every rule.
/// </summary>
public static class CheckVerdict
{
    /// <summary>Certificates closer than this to expiry get a warning.</summary>
    public const int ExpiryWarningDays = 14;

    /// <summary>Exit status when no secure incoming or no secure outgoing endpoint exists.</summary>
    public const int InsecureExitCode = 2;

    /// <summary>Adds the findings that follow from the facts and sets Secure.</summary>
    public static void Judge(CheckTarget target, EndpointResult r)
    {
        string expected = CheckTarget.ModeId(target.ExpectedMode);
        if (r.ActualMode is Modes.ImplicitTls or Modes.StartTls && r.ActualMode != expected)
        {
            r.Add(Finding.Warning, "wrong-mode", $"Port {r.Port} speaks {Modes.Describe(r.ActualMode)}, not {Modes.Describe(expected)} as usual for port {target.StandardPort}: choose {Modes.Describe(r.ActualMode)} for it, or fix the server.");
        }

        if (r.ActualMode == Modes.Plaintext && !r.Findings.Any(f => f.Severity == Finding.Error))
        {
            r.Add(Finding.Error, "plaintext-only", r.StartTlsOffered == false
                ? "No TLS: STARTTLS is not offered, so everything (passwords included) would cross the network in the clear."
                : "No TLS came up on this port.");
        }

        if (r.PasswordBeforeTls == true)
        {
            r.Add(Finding.Warning, "password-before-tls", target.Protocol switch
            {
                MailProtocol.Imap => "Login is allowed before STARTTLS (no LOGINDISABLED): a program set up without encryption sends the password in the clear.",
                MailProtocol.Pop3 => "USER/AUTH is accepted before STLS: a program set up without encryption sends the password in the clear.",
                _ => "AUTH is advertised before STARTTLS: a program set up without encryption sends the password in the clear.",
            });
        }

        if (r.StartTlsInjection == "executed")
        {
            r.Add(Finding.Error, "starttls-injection", "A command sent together with STARTTLS was executed inside TLS: an attacker on the path can inject commands (CVE-2011-0411 class).");
        }

        if (r.Tls is { } tls)
        {
            if (tls.Version is not ("TLS 1.2" or "TLS 1.3"))
            {
                r.Add(Finding.Error, "old-tls", $"{tls.Version} was negotiated; only TLS 1.2 and 1.3 are safe (RFC 8996).");
            }

            JudgeCertificate(tls.Certificate, r);
        }

        if (r.Tls is not null && r.AuthAfterTls == false && target.Protocol is MailProtocol.Imap or MailProtocol.Submission)
        {
            r.Add(Finding.Error, "no-login-after-tls", target.Protocol == MailProtocol.Imap
                ? "Even inside TLS the server says LOGINDISABLED: email programs cannot log in."
                : "Even inside TLS the server offers no AUTH: email programs cannot log in to send.");
        }

        r.Secure = r.Tls is not null && r.ActualMode is Modes.ImplicitTls or Modes.StartTls && r.Findings.All(f => f.Severity != Finding.Error);
    }

    private static void JudgeCertificate(CertificateResult? c, EndpointResult r)
    {
        if (c is null)
        {
            r.Add(Finding.Error, "no-certificate", "The server presented no certificate.");
            return;
        }

        if (!c.NameMatches)
        {
            r.Add(Finding.Error, "certificate-name-mismatch", $"The certificate is not valid for {c.ServerName} (it is for {c.Subject}).");
        }

        if (c.Expired)
        {
            r.Add(Finding.Error, "certificate-expired", $"The certificate expired {-c.DaysUntilExpiry} days ago ({c.NotAfter:yyyy-MM-dd}).");
        }
        else if (c.NotYetValid)
        {
            r.Add(Finding.Error, "certificate-not-yet-valid", $"The certificate is valid only from {c.NotBefore:yyyy-MM-dd}.");
        }
        else if (c.DaysUntilExpiry < ExpiryWarningDays)
        {
            r.Add(Finding.Warning, "certificate-expires-soon", $"The certificate expires in {c.DaysUntilExpiry} days ({c.NotAfter:yyyy-MM-dd}).");
        }

        if (!c.Trusted)
        {
            r.Add(Finding.Error, c.SelfSigned ? "certificate-self-signed" : "certificate-untrusted", c.SelfSigned
                ? "The certificate is self-signed and not trusted (pass it with --ca FILE if you trust it); email programs will warn."
                : $"The certificate chain is not trusted: {c.ChainProblem}.");
        }
        else if (c.SelfSigned)
        {
            r.Add(Finding.Info, "certificate-self-signed", "The certificate is self-signed; it is trusted here only through --ca, so every email program must be told to trust it.");
        }
    }

    /// <summary>Fills the report-level verdict: secure halves, exit status, problems and the settings advice.</summary>
    public static void Conclude(CheckReport report)
    {
        var secure = report.Endpoints.Where(e => e.Secure).ToList();
        report.IncomingSecure = secure.Any(e => e.Role == "incoming");
        report.OutgoingSecure = secure.Any(e => e.Role == "outgoing");
        report.Secure = report.IncomingSecure && report.OutgoingSecure;
        report.ExitCode = report.Secure ? 0 : InsecureExitCode;
        report.Problems.Clear();
        if (report.Endpoints.All(e => !e.Reachable))
        {
            report.Problems.Add($"Nothing answered on any mail port of {report.Host} (port offset {report.PortOffset}): is the server running, and is the host name right?");
        }
        else
        {
            if (!report.IncomingSecure)
            {
                report.Problems.Add("No incoming server (IMAP or POP3) can be used securely: " + Reasons(report.Endpoints.Where(e => e.Role == "incoming")));
            }

            if (!report.OutgoingSecure)
            {
                report.Problems.Add("No outgoing server (SMTP 465, 587 or 26) can be used securely: " + Reasons(report.Endpoints.Where(e => e.Role == "outgoing")));
            }
        }

        var advisor = Advisor(report);
        report.Settings = advisor is null ? null : JsonNode.Parse(advisor.RenderJson(ClientCatalog.All));
    }

    /// <summary>The settings advice for the endpoints that work securely, in the mode they really speak; null when none.</summary>
    public static SettingsAdvisor? Advisor(CheckReport report)
    {
        var usable = report.Endpoints.Where(e => e.Secure && e.Role != "mx").Select(e => new EndpointInfo(
            e.Name,
            e.Protocol switch { "imap" => MailProtocol.Imap, "pop3" => MailProtocol.Pop3, _ => MailProtocol.Submission },
            IPAddress.None,
            e.Port,
            e.ActualMode == Modes.ImplicitTls ? TlsMode.Implicit : TlsMode.StartTls)).ToList();
        return usable.Count == 0 ? null : new SettingsAdvisor(report.ServerName, "your full email address", usable);
    }

    private static string Reasons(IEnumerable<EndpointResult> endpoints) => string.Join("; ", endpoints.Select(e =>
    {
        var first = e.Findings.FirstOrDefault(f => f.Severity == Finding.Error);
        string title = CheckTarget.All.First(t => t.Name == e.Name).Title;
        return $"{title} (port {e.Port}): {(first is null ? "not secure" : first.Message.TrimEnd('.'))}";
    })) + ".";
}
