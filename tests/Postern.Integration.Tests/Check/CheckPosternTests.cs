using System.Text.Json;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Check;

/// <summary>`postern check` against a real, correctly running Postern.</summary>
[Collection(ServerCollection.Name)]
public sealed class CheckPosternTests(ServerFixture server)
{
    private string[] Args(params string[] extra) =>
        [server.Host, "--port-offset", server.Offset.ToString(), "--ca", server.CertPath, .. extra];

    [Fact]
    public async Task All_eight_endpoints_are_secure_in_their_own_mode_and_the_exit_status_is_zero()
    {
        var (r, report) = await CheckCli.RunJsonAsync(Args());
        Assert.True(r.ExitCode == 0, r + "\n--- server\n" + server.Log);
        Assert.True(report.GetProperty("secure").GetBoolean());
        Assert.True(report.GetProperty("incomingSecure").GetBoolean());
        Assert.True(report.GetProperty("outgoingSecure").GetBoolean());
        var endpoints = report.GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal(["imaps", "imap", "pop3s", "pop3", "submissions", "submission", "submission-alt", "smtp"], endpoints.Select(e => e.GetProperty("name").GetString()));
        foreach (var e in endpoints)
        {
            string name = e.GetProperty("name").GetString()!;
            Assert.True(e.GetProperty("secure").GetBoolean(), name + ": " + e);
            Assert.Equal(server.Port(e.GetProperty("standardPort").GetInt32()), e.GetProperty("port").GetInt32());
            Assert.Equal(e.GetProperty("expectedMode").GetString(), e.GetProperty("actualMode").GetString());
            Assert.Contains(e.GetProperty("tls").GetProperty("version").GetString(), new[] { "TLS 1.2", "TLS 1.3" });
            Assert.StartsWith("TLS_", e.GetProperty("tls").GetProperty("cipherSuite").GetString());
            var cert = e.GetProperty("tls").GetProperty("certificate");
            Assert.True(cert.GetProperty("trusted").GetBoolean(), name);
            Assert.Equal("ca-file", cert.GetProperty("trustAnchor").GetString());
            Assert.True(cert.GetProperty("nameMatches").GetBoolean(), name);
            Assert.InRange(cert.GetProperty("daysUntilExpiry").GetInt32(), 700, 740); // init makes a two-year certificate
            Assert.DoesNotContain(CheckCli.Codes(e), c => c is "password-before-tls" or "starttls-injection");
            if (e.GetProperty("expectedMode").GetString() == "starttls")
            {
                Assert.True(e.GetProperty("startTlsOffered").GetBoolean(), name);
                Assert.False(e.GetProperty("passwordBeforeTls").GetBoolean(), name);
                Assert.Equal("not-executed", e.GetProperty("startTlsInjection").GetString());
            }
        }

        // The advice names the programs' own labels for the endpoints that work.
        var settings = report.GetProperty("settings");
        Assert.Equal(server.Port(993), settings.GetProperty("incoming")[0].GetProperty("port").GetInt32());
        Assert.Equal(server.Port(465), settings.GetProperty("outgoing")[0].GetProperty("port").GetInt32());
        var thunderbird = settings.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "thunderbird");
        Assert.Equal("SSL/TLS", thunderbird.GetProperty("implicitTls").GetString());
        Assert.Empty(report.GetProperty("problems").EnumerateArray());

        // Nothing serves autoconfig in this run (or, later, Postern's web side does): either way each URL is reported.
        Assert.Equal(4, report.GetProperty("autoconfig").GetArrayLength());
        // Progress goes to stderr only; stdout is the JSON document alone.
        Assert.StartsWith("{", r.StdOut);
        Assert.DoesNotContain("  checked ", r.StdOut);
        Assert.Contains("  checked IMAP 993", r.StdErr);
    }

    [Fact]
    public async Task The_terminal_report_shows_progress_on_stderr_and_each_programs_labels()
    {
        var r = await CheckCli.RunAsync(Args());
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(8, r.StdErr.Split('\n').Count(l => l.TrimStart().StartsWith("checked ", StringComparison.Ordinal)));
        Assert.Matches($@"IMAP 993\s+{server.Port(993)}\s+implicit TLS\s+implicit TLS\s+TLS 1\.[23]\s+trusted \(--ca\).*secure", r.StdOut);
        Assert.Matches($@"SMTP 587\s+{server.Port(587)}\s+STARTTLS\s+STARTTLS", r.StdOut);
        Assert.Contains("STARTTLS injection not executed", r.StdOut);
        Assert.Contains("Verdict: email programs can connect securely", r.StdOut);
        Assert.Matches(@"Thunderbird \(desktop\)\s+SSL/TLS\s+STARTTLS", r.StdOut);
        Assert.Contains("Outlook classic (Windows)", r.StdOut);
    }

    [Fact]
    public async Task A_wrong_servername_is_a_name_mismatch_and_nothing_is_secure()
    {
        var (r, report) = await CheckCli.RunJsonAsync(Args("--servername", "wrong.example.net"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal("wrong.example.net", report.GetProperty("serverName").GetString());
        foreach (var e in report.GetProperty("endpoints").EnumerateArray())
        {
            Assert.False(e.GetProperty("secure").GetBoolean());
            Assert.False(e.GetProperty("tls").GetProperty("certificate").GetProperty("nameMatches").GetBoolean());
            Assert.Contains("certificate-name-mismatch", CheckCli.Codes(e));
        }

        Assert.Equal(JsonValueKind.Null, report.GetProperty("settings").ValueKind);
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("not valid for wrong.example.net"));
    }

    [Fact]
    public async Task Without_ca_the_self_signed_certificate_is_untrusted()
    {
        var (r, report) = await CheckCli.RunJsonAsync(server.Host, "--port-offset", server.Offset.ToString());
        Assert.NotEqual(0, r.ExitCode);
        var imaps = CheckCli.Endpoint(report, "imaps");
        Assert.False(imaps.GetProperty("tls").GetProperty("certificate").GetProperty("trusted").GetBoolean());
        Assert.True(imaps.GetProperty("tls").GetProperty("certificate").GetProperty("selfSigned").GetBoolean());
        Assert.Contains("certificate-self-signed", CheckCli.Codes(imaps));
    }
}
