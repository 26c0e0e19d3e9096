using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// Issue 5 point 9: testssl.sh against the six mail TLS endpoints (implicit TLS on 993, 995,
/// 465; STARTTLS on 143, 110, 587) finds nothing HIGH or CRITICAL, and what it reports shows
/// the policy in TlsPolicy: TLS 1.2/1.3 only, AEAD suites with forward secrecy only, no TLS
/// compression (CRIME), no client-initiated renegotiation.
/// </summary>
/// <remarks>
/// The scan is bounded: --fast and only the checks that concern the policy (-p protocols,
/// -e every cipher offered, -U vulnerabilities, which include renegotiation and CRIME). The
/// certificate checks (-S) are left out on purpose: the fixture's certificate is self-signed,
/// which testssl rightly rates CRITICAL for a public server. The six scans run in parallel
/// (about 75 s on two busy cores).
/// </remarks>
[Collection(ServerCollection.Name)]
public sealed class TlsConfigurationTests(ServerFixture server)
{
    private static readonly (int Port, string? StartTls)[] Targets =
        [(993, null), (995, null), (465, null), (143, "imap"), (110, "pop3"), (587, "smtp")];

    [SkippableFact]
    public async Task TestsslFindsNothingHighOrCriticalAndConfirmsThePolicy()
    {
        string testssl = ProcessRunner.Which("testssl") ?? ExternalClient.Require("testssl.sh");
        var dir = Directory.CreateTempSubdirectory("postern-testssl-");
        try
        {
            var scans = Targets.Select(t => ScanAsync(testssl, dir.FullName, t.Port, t.StartTls)).ToArray();
            var results = await Task.WhenAll(scans);
            var problems = results.SelectMany(r => r).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs one scan and returns what is wrong with it (empty: all good).</summary>
    private async Task<List<string>> ScanAsync(string testssl, string dir, int port, string? startTls)
    {
        string json = Path.Combine(dir, $"scan-{port}.json");
        List<string> args = ["--quiet", "--fast", "--warnings", "off", "--color", "0", "-p", "-e", "-U", "--jsonfile", json];
        if (startTls is not null)
        {
            args.AddRange(["--starttls", startTls]);
        }

        args.Add($"{server.Host}:{server.Port(port)}");
        var run = await ProcessRunner.RunAsync(testssl, args, timeout: TimeSpan.FromMinutes(5));
        string where = $"port {port}{(startTls is null ? "" : " STARTTLS " + startTls)}";
        if (!File.Exists(json))
        {
            return [$"{where}: testssl wrote no JSON. {run}"];
        }

        var findings = JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.EnumerateArray()
            .Select(e => (Id: e.GetProperty("id").GetString()!, Severity: e.GetProperty("severity").GetString()!, Finding: e.GetProperty("finding").GetString()!))
            .ToList();
        var problems = new List<string>();
        void Expect(bool ok, string what)
        {
            if (!ok)
            {
                problems.Add($"{where}: {what}");
            }
        }

        string Finding(string id) => findings.FirstOrDefault(f => f.Id == id).Finding ?? "(missing)";

        foreach (var f in findings.Where(f => f.Severity is "HIGH" or "CRITICAL"))
        {
            problems.Add($"{where}: {f.Severity} {f.Id}: {f.Finding}");
        }

        // RFC 8996: SSL 2/3 and TLS 1.0/1.1 refused; TLS 1.2 and 1.3 offered.
        foreach (var old in new[] { "SSLv2", "SSLv3", "TLS1", "TLS1_1" })
        {
            Expect(Finding(old).StartsWith("not offered", StringComparison.Ordinal), $"{old} should not be offered: {Finding(old)}");
        }

        Expect(Finding("TLS1_2").StartsWith("offered", StringComparison.Ordinal), $"TLS 1.2: {Finding("TLS1_2")}");
        Expect(Finding("TLS1_3").StartsWith("offered", StringComparison.Ordinal), $"TLS 1.3: {Finding("TLS1_3")}");

        // Every suite offered is AEAD (GCM, ChaCha20-Poly1305) with an ephemeral key exchange:
        // the TLS 1.3 suites always are; in TLS 1.2 only ECDHE suites qualify.
        var ciphers = findings.Where(f => f.Id.StartsWith("cipher_", StringComparison.Ordinal) && !f.Id.StartsWith("cipher_order", StringComparison.Ordinal)).ToList();
        Expect(ciphers.Count > 0, "testssl listed no cipher suites");
        foreach (var c in ciphers)
        {
            string name = c.Finding.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last();
            bool aead = name.Contains("_GCM_", StringComparison.Ordinal) || name.Contains("CHACHA20_POLY1305", StringComparison.Ordinal);
            bool forwardSecret = name.StartsWith("TLS_AES_", StringComparison.Ordinal) || name.StartsWith("TLS_CHACHA20_", StringComparison.Ordinal) || name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal);
            Expect(aead && forwardSecret, $"suite {name} is not AEAD with forward secrecy");
        }

        // No TLS compression (CRIME) and no client-initiated renegotiation.
        Expect(Finding("CRIME_TLS").StartsWith("not vulnerable", StringComparison.Ordinal), $"compression: {Finding("CRIME_TLS")}");
        Expect(Finding("secure_client_renego").StartsWith("not vulnerable", StringComparison.Ordinal), $"client renegotiation: {Finding("secure_client_renego")}");
        return problems;
    }

    /// <summary>Direct check beside testssl: a client that offers only TLS 1.0/1.1 gets no session.</summary>
    [SkippableTheory]
    [InlineData(993)]
    [InlineData(995)]
    [InlineData(465)]
    public async Task OldProtocolsAreRefusedAndTls12NegotiatesAnAeadSuite(int port)
    {
        var openssl = ExternalClient.Require("openssl");
        foreach (var flag in new[] { "-tls1", "-tls1_1" })
        {
            // SECLEVEL=0 so the local OpenSSL really sends the old ClientHello; the server must refuse it.
            var old = await ProcessRunner.RunAsync(openssl, ["s_client", "-connect", $"{server.Host}:{server.Port(port)}", flag, "-cipher", "DEFAULT:@SECLEVEL=0"], stdin: "", timeout: TimeSpan.FromSeconds(30));
            Assert.True(old.ExitCode != 0, $"{flag} on {port} should fail:\n{old}");
            Assert.DoesNotContain("Cipher is ECDHE", old.StdOut, StringComparison.Ordinal);
            Assert.Matches("(?i)Cipher is \\(NONE\\)|alert protocol version|no protocols available|unsupported protocol", old.All);
        }

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port(port));
        await using var ssl = new SslStream(tcp.GetStream(), false, server.ValidateCertificate);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls12 });
        Assert.Equal(SslProtocols.Tls12, ssl.SslProtocol);
        string suite = ssl.NegotiatedCipherSuite.ToString();
        Assert.StartsWith("TLS_ECDHE_", suite, StringComparison.Ordinal);
        Assert.True(suite.Contains("_GCM_", StringComparison.Ordinal) || suite.Contains("CHACHA20_POLY1305", StringComparison.Ordinal), suite);
    }
}
