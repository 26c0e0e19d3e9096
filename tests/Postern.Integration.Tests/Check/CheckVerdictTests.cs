using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Postern.Check;
using Postern.Net;

namespace Postern.Integration.Tests.Check;

/// <summary>
/// The pure parts of `postern check`: verdict rules, exit status, certificate judging and text
/// rendering, fed hand-made facts (no sockets). They live here because the unit-test project
/// does not reference the postern executable's assembly.
/// </summary>
public sealed class CheckVerdictTests
{
    private static readonly CheckTarget Imaps = CheckTarget.All.Single(t => t.Name == "imaps");
    private static readonly CheckTarget Submission = CheckTarget.All.Single(t => t.Name == "submission");
    private static readonly CheckTarget Mx = CheckTarget.All.Single(t => t.Name == "smtp");

    private static EndpointResult Working(CheckTarget t, string mode, string version = "TLS 1.3") => new()
    {
        Name = t.Name,
        Protocol = t.ProtocolId,
        Role = t.Role,
        Port = t.StandardPort,
        StandardPort = t.StandardPort,
        ExpectedMode = CheckTarget.ModeId(t.ExpectedMode),
        Reachable = true,
        ActualMode = mode,
        AuthAfterTls = true,
        StartTlsOffered = mode == Modes.StartTls ? true : null,
        PasswordBeforeTls = mode == Modes.StartTls ? false : null,
        StartTlsInjection = mode == Modes.StartTls ? "not-executed" : "not-tested",
        Tls = new TlsResult
        {
            Version = version,
            CipherSuite = "TLS_AES_128_GCM_SHA256",
            Certificate = new CertificateResult { ServerName = "mail.example.org", NameMatches = true, Trusted = true, TrustAnchor = "system", DaysUntilExpiry = 80 },
        },
    };

    private static EndpointResult Judged(CheckTarget t, EndpointResult r)
    {
        CheckVerdict.Judge(t, r);
        return r;
    }

    private static IEnumerable<string> Codes(EndpointResult r) => r.Findings.Select(f => f.Code);

    [Fact]
    public void A_clean_endpoint_is_secure_without_findings()
    {
        var r = Judged(Imaps, Working(Imaps, Modes.ImplicitTls));
        Assert.True(r.Secure);
        Assert.Empty(r.Findings);
    }

    [Fact]
    public void An_executed_injection_makes_the_endpoint_insecure()
    {
        var r = Working(Submission, Modes.StartTls);
        r.StartTlsInjection = "executed";
        Judged(Submission, r);
        Assert.False(r.Secure);
        Assert.Contains(r.Findings, f => f.Code == "starttls-injection" && f.Severity == Finding.Error);
    }

    [Fact]
    public void A_password_offered_before_tls_is_a_warning_that_leaves_correct_clients_secure()
    {
        var r = Working(Submission, Modes.StartTls);
        r.PasswordBeforeTls = true;
        Judged(Submission, r);
        Assert.True(r.Secure);
        Assert.Contains(r.Findings, f => f.Code == "password-before-tls" && f.Severity == Finding.Warning && f.Message.Contains("AUTH"));
    }

    [Theory]
    [InlineData("TLS 1.1", "old-tls")]
    [InlineData("TLS 1.0", "old-tls")]
    public void Old_tls_is_an_error(string version, string code)
    {
        var r = Judged(Imaps, Working(Imaps, Modes.ImplicitTls, version));
        Assert.False(r.Secure);
        Assert.Contains(code, Codes(r));
    }

    [Fact]
    public void Certificate_problems_each_get_their_finding()
    {
        var r = Working(Imaps, Modes.ImplicitTls);
        r.Tls!.Certificate = new CertificateResult { ServerName = "mail.example.org", Subject = "CN=other", NameMatches = false, Trusted = false, SelfSigned = true, Expired = true, DaysUntilExpiry = -3 };
        Judged(Imaps, r);
        Assert.False(r.Secure);
        Assert.Equal(["certificate-name-mismatch", "certificate-expired", "certificate-self-signed"], Codes(r));
        Assert.Contains("expired 3 days ago", r.Findings[1].Message);
    }

    [Fact]
    public void A_certificate_close_to_expiry_is_a_warning_only()
    {
        var r = Working(Imaps, Modes.ImplicitTls);
        r.Tls!.Certificate!.DaysUntilExpiry = 5;
        Judged(Imaps, r);
        Assert.True(r.Secure);
        Assert.Equal(["certificate-expires-soon"], Codes(r));
    }

    [Fact]
    public void Plaintext_only_and_swapped_modes_are_named()
    {
        var plain = new EndpointResult { Name = "submission", Role = "outgoing", Port = 587, Reachable = true, ActualMode = Modes.Plaintext, StartTlsOffered = false, PasswordBeforeTls = true };
        Judged(Submission, plain);
        Assert.False(plain.Secure);
        Assert.Equal(["plaintext-only", "password-before-tls"], Codes(plain));

        var swapped = Judged(Submission, Working(Submission, Modes.ImplicitTls));
        Assert.True(swapped.Secure);
        Assert.Equal(["wrong-mode"], Codes(swapped));
    }

    [Fact]
    public void No_login_after_tls_on_submission_is_an_error()
    {
        var r = Working(Submission, Modes.StartTls);
        r.AuthAfterTls = false;
        Judged(Submission, r);
        Assert.False(r.Secure);
        Assert.Contains("no-login-after-tls", Codes(r));
    }

    [Fact]
    public void Exit_status_needs_one_secure_incoming_and_one_secure_outgoing_endpoint()
    {
        var mxOnly = Report(Judged(Imaps, new EndpointResult { Name = "imaps", Role = "incoming", Reachable = false }), Judged(Mx, Working(Mx, Modes.StartTls)));
        CheckVerdict.Conclude(mxOnly);
        Assert.Equal(CheckVerdict.InsecureExitCode, mxOnly.ExitCode);
        Assert.False(mxOnly.Secure);
        Assert.Null(mxOnly.Settings); // port 25 is never advice for email programs
        Assert.Equal(2, mxOnly.Problems.Count);

        var both = Report(Judged(Imaps, Working(Imaps, Modes.ImplicitTls)), Judged(Submission, Working(Submission, Modes.StartTls)));
        CheckVerdict.Conclude(both);
        Assert.Equal(0, both.ExitCode);
        Assert.Empty(both.Problems);
        Assert.Equal("implicit-tls", both.Settings!["incoming"]![0]!["security"]!.GetValue<string>());
        Assert.Equal("starttls", both.Settings["outgoing"]![0]!["security"]!.GetValue<string>());
        Assert.Equal("mail.example.org", both.Settings["hostname"]!.GetValue<string>());
    }

    [Fact]
    public void Nothing_reachable_says_so_in_one_sentence()
    {
        var report = Report(Judged(Imaps, new EndpointResult { Name = "imaps", Role = "incoming", Reachable = false }));
        CheckVerdict.Conclude(report);
        Assert.Equal(["Nothing answered on any mail port of mail.example.org (port offset 0): is the server running, and is the host name right?"], report.Problems);
    }

    [Fact]
    public void The_text_report_shows_the_table_the_findings_and_the_program_labels()
    {
        var bad = Working(Submission, Modes.StartTls);
        bad.StartTlsInjection = "executed";
        var report = Report(Judged(Imaps, Working(Imaps, Modes.ImplicitTls)), Judged(Submission, bad));
        CheckVerdict.Conclude(report);
        string text = CheckRenderer.Text(report);
        Assert.Matches(@"IMAP 993\s+993\s+implicit TLS\s+implicit TLS\s+TLS 1\.3\s+trusted, 80 days left\s+secure", text);
        Assert.Matches(@"SMTP 587\s+587\s+STARTTLS\s+STARTTLS\s+TLS 1\.3\s+trusted, 80 days left\s+NOT SECURE", text);
        Assert.Contains("STARTTLS injection EXECUTED", text);
        Assert.Contains("Verdict: NOT usable securely.", text);
        Assert.Contains("No outgoing server (SMTP 465, 587 or 26) can be used securely: SMTP 587 (port 587): A command sent together with STARTTLS", text);
        Assert.Matches(@"Thunderbird \(desktop\)\s+SSL/TLS", text); // advice for the IMAP endpoint that works
        Assert.DoesNotContain("postern settings", text);
    }

    [Fact]
    public void Certificates_are_judged_against_the_ca_file_and_the_clock()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mail.example.org", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mail.example.org");
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(10));
        using var publicOnly = X509CertificateLoader.LoadCertificate(cert.RawData);
        var inspector = new TlsInspector([publicOnly], TimeSpan.FromSeconds(1));

        var today = inspector.Judge(publicOnly, [], SslPolicyErrors.RemoteCertificateChainErrors, "mail.example.org", now);
        Assert.True(today.Trusted);
        Assert.Equal("ca-file", today.TrustAnchor);
        Assert.True(today.SelfSigned);
        Assert.True(today.NameMatches);
        Assert.InRange(today.DaysUntilExpiry, 9, 10);

        var later = inspector.Judge(publicOnly, [], SslPolicyErrors.RemoteCertificateChainErrors, "other.example.org", now.AddDays(20));
        Assert.True(later.Expired);
        Assert.False(later.NameMatches);
        Assert.False(later.Trusted); // an expired chain does not build
        Assert.NotNull(later.ChainProblem);

        var noCa = new TlsInspector(null, TimeSpan.FromSeconds(1)).Judge(publicOnly, [], SslPolicyErrors.RemoteCertificateChainErrors, "mail.example.org", now);
        Assert.False(noCa.Trusted);
        Assert.Null(noCa.TrustAnchor);
    }

    [Theory]
    [InlineData("mail.example.org", "example.org")]
    [InlineData("example.org", "example.org")]
    [InlineData("localhost", "localhost")]
    [InlineData("127.0.0.1", null)]
    [InlineData("::1", null)]
    public void The_autoconfig_domain_comes_from_the_server_name(string serverName, string? domain) =>
        Assert.Equal(domain, AutoconfigProbe.DomainOf(serverName));

    private static CheckReport Report(params EndpointResult[] endpoints) =>
        new() { Host = "mail.example.org", ServerName = "mail.example.org", Endpoints = [.. endpoints] };
}
