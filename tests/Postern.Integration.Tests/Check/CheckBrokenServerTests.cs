using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Postern.Integration.Tests.Support;
using Postern.Net;

namespace Postern.Integration.Tests.Check;

/// <summary>`postern check` against nothing and against small SMTP servers that are broken on purpose.</summary>
[Collection(CheckFakesCollection.Name)]
public sealed class CheckBrokenServerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-check-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly X509Certificate2 _cert = SelfSignedCertificate.Create("fake.test");
    private readonly int _offset = ServerFixture.FindFreeOffset();

    public CheckBrokenServerTests()
    {
        Directory.CreateDirectory(_dir);
        SelfSignedCertificate.WritePem(_cert, CaPath, Path.Combine(_dir, "key.pem"));
    }

    private string CaPath => Path.Combine(_dir, "cert.pem");

    public void Dispose()
    {
        _cert.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data only.
        }
    }

    [Fact]
    public async Task Nothing_listening_fails_fast_with_a_clear_message()
    {
        var sw = Stopwatch.StartNew();
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString());
        sw.Stop();
        Assert.Equal(2, r.ExitCode);
        Assert.False(report.GetProperty("secure").GetBoolean());
        Assert.All(report.GetProperty("endpoints").EnumerateArray(), e =>
        {
            Assert.False(e.GetProperty("reachable").GetBoolean());
            Assert.Contains("no-answer", CheckCli.Codes(e));
        });
        Assert.Contains(report.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("Nothing answered on any mail port", StringComparison.Ordinal));
        Assert.All(report.GetProperty("autoconfig").EnumerateArray(), a => Assert.False(a.GetProperty("served").GetBoolean()));
        Assert.Contains("connection refused", r.StdErr);
        // Refused connections: no waiting at all; the bound includes starting dotnet.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task Auth_advertised_before_starttls_is_caught()
    {
        await using var fake = new FakeSmtpServer(587 + _offset, _cert, new FakeSmtpFlaws { AuthBeforeTls = true });
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var e = CheckCli.Endpoint(report, "submission");
        Assert.True(e.GetProperty("reachable").GetBoolean(), r.ToString());
        Assert.Equal("starttls", e.GetProperty("actualMode").GetString());
        Assert.True(e.GetProperty("passwordBeforeTls").GetBoolean());
        Assert.Contains("password-before-tls", CheckCli.Codes(e));
        Assert.Equal("not-executed", e.GetProperty("startTlsInjection").GetString());
        Assert.NotEqual(0, r.ExitCode); // no incoming endpoint at all
        Assert.False(report.GetProperty("incomingSecure").GetBoolean());
        Assert.True(report.GetProperty("outgoingSecure").GetBoolean()); // a correctly set-up client is still safe
    }

    [Fact]
    public async Task A_command_pipelined_after_starttls_and_executed_inside_tls_is_caught()
    {
        await using var fake = new FakeSmtpServer(587 + _offset, _cert, new FakeSmtpFlaws { KeepPipelinedCommands = true });
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var e = CheckCli.Endpoint(report, "submission");
        Assert.Equal("starttls", e.GetProperty("actualMode").GetString());
        Assert.Equal("executed", e.GetProperty("startTlsInjection").GetString());
        Assert.Contains("starttls-injection", CheckCli.Codes(e));
        Assert.False(e.GetProperty("secure").GetBoolean());
        Assert.False(e.GetProperty("passwordBeforeTls").GetBoolean());
        Assert.False(report.GetProperty("outgoingSecure").GetBoolean());
        Assert.NotEqual(0, r.ExitCode);
        // The fake really did run the NOOP that was sent before TLS (so the probe saw a true flaw).
        Assert.Equal("NOOP", fake.CommandsInsideTls.First());
    }

    [Fact]
    public async Task A_correct_fake_shows_the_injection_probe_does_not_cry_wolf()
    {
        await using var fake = new FakeSmtpServer(587 + _offset, _cert, new FakeSmtpFlaws());
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var e = CheckCli.Endpoint(report, "submission");
        Assert.Equal("not-executed", e.GetProperty("startTlsInjection").GetString());
        Assert.True(e.GetProperty("secure").GetBoolean(), r.ToString());
        Assert.DoesNotContain("NOOP", fake.CommandsInsideTls);
    }

    [Fact]
    public async Task A_server_that_refuses_a_pipelined_starttls_is_retried_with_starttls_alone()
    {
        await using var fake = new FakeSmtpServer(587 + _offset, _cert, new FakeSmtpFlaws { RefusePipelinedStartTls = true });
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var e = CheckCli.Endpoint(report, "submission");
        Assert.Equal("starttls", e.GetProperty("actualMode").GetString());
        Assert.Equal("not-executed", e.GetProperty("startTlsInjection").GetString());
        Assert.Contains("starttls-injection-refused", CheckCli.Codes(e));
        Assert.True(e.GetProperty("secure").GetBoolean(), r.ToString());
    }

    [Fact]
    public async Task Starttls_on_465_and_implicit_tls_on_587_are_diagnosed_as_such()
    {
        await using var starttlsOn465 = new FakeSmtpServer(465 + _offset, _cert, new FakeSmtpFlaws());
        await using var implicitOn587 = new FakeSmtpServer(587 + _offset, _cert, new FakeSmtpFlaws { ImplicitTls = true });
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var s465 = CheckCli.Endpoint(report, "submissions");
        Assert.Equal("starttls", s465.GetProperty("actualMode").GetString());
        Assert.Contains("wrong-mode", CheckCli.Codes(s465));
        Assert.True(s465.GetProperty("secure").GetBoolean(), r.ToString());
        var s587 = CheckCli.Endpoint(report, "submission");
        Assert.Equal("implicit-tls", s587.GetProperty("actualMode").GetString());
        Assert.Contains("wrong-mode", CheckCli.Codes(s587));

        // The advice follows what the ports really speak.
        var outgoing = report.GetProperty("settings").GetProperty("outgoing").EnumerateArray().ToList();
        Assert.Contains(outgoing, o => o.GetProperty("port").GetInt32() == 465 + _offset && o.GetProperty("security").GetString() == "starttls");
        Assert.Contains(outgoing, o => o.GetProperty("port").GetInt32() == 587 + _offset && o.GetProperty("security").GetString() == "implicit-tls");
    }

    [Fact]
    public async Task A_plaintext_only_pop3_that_takes_user_in_the_clear_is_caught_without_sending_a_password()
    {
        await using var fake = PlaintextFakes.Pop3(110 + _offset);
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString(), "--ca", CaPath);
        var e = CheckCli.Endpoint(report, "pop3");
        Assert.True(e.GetProperty("reachable").GetBoolean(), r.ToString());
        Assert.Equal("plaintext", e.GetProperty("actualMode").GetString());
        Assert.False(e.GetProperty("startTlsOffered").GetBoolean());
        Assert.True(e.GetProperty("passwordBeforeTls").GetBoolean()); // CAPA hid USER; the probe found it
        Assert.Equal(["plaintext-only", "password-before-tls"], CheckCli.Codes(e));
        Assert.False(e.GetProperty("secure").GetBoolean());
        Assert.Contains("USER postern-check-no-such-user@invalid", fake.Commands);
        Assert.DoesNotContain(fake.Commands, c => c.StartsWith("PASS", StringComparison.OrdinalIgnoreCase));
        Assert.Matches(@"POP3 110\s+\d+\s+STARTTLS\s+plaintext only", (await CheckCli.RunAsync("127.0.0.1", "--port-offset", _offset.ToString())).StdOut);
    }

    [Fact]
    public async Task A_plaintext_only_imap_without_logindisabled_is_caught()
    {
        await using var fake = PlaintextFakes.Imap(143 + _offset);
        var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", _offset.ToString());
        var e = CheckCli.Endpoint(report, "imap");
        Assert.Equal("plaintext", e.GetProperty("actualMode").GetString());
        Assert.Equal("* OK fake IMAP ready", e.GetProperty("greeting").GetString());
        Assert.False(e.GetProperty("startTlsOffered").GetBoolean(), r.ToString());
        Assert.True(e.GetProperty("passwordBeforeTls").GetBoolean());
        Assert.Equal(["plaintext-only", "password-before-tls"], CheckCli.Codes(e));
        Assert.Contains(e.GetProperty("findings").EnumerateArray(), f => f.GetProperty("message").GetString()!.Contains("LOGINDISABLED"));
        Assert.DoesNotContain(fake.Commands, c => c.Contains("LOGIN ", StringComparison.OrdinalIgnoreCase));
    }
}
