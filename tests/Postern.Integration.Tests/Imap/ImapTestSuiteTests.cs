using Postern.Integration.Tests.Imap.ImapTest;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// Dovecot's IMAP compliance suite (imaptest, ../shared/imaptest) against a real Postern: one case
/// per script, each on its own with a fresh user and a bounded run. imaptest's FAIL fails the case
/// with its log; a script imaptest skips because Postern lacks a capability it needs is reported as
/// skipped, naming the capability, never as passed.
/// </summary>
[Collection(ImapTestServerCollection.Name)]
public sealed class ImapTestSuiteTests(ImapTestServerFixture server)
{
    private static readonly TimeSpan PerScript = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Scripts => ImapTestSuite.Scripts;

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public async Task Imaptest_script(string script)
    {
        string imaptest = RequireImapTest();
        string user = await server.AddUserAsync(script);
        var run = await ProcessRunner.RunAsync(
            imaptest,
            ["host=localhost", "hostip=127.0.0.1", $"port={server.Port(993)}", "ssl", $"ssl_ca_file={server.CertPath}",
             $"user={user}", $"pass={ServerFixture.Password}", $"test={Path.Combine(ImapTestSuite.ScriptFolder!, script)}"],
            timeout: PerScript);
        if (run.All.Contains("error while loading shared libraries", StringComparison.Ordinal))
        {
            ExternalClient.Missing($"runtime library of imaptest (apt-get install -y libpcre2-32-0: {run.StdErr.Trim()})");
        }

        var outcome = ImapTestOutcome.Read(run.ExitCode, run.All);
        if (outcome.Verdict == ImapTestVerdict.Skip)
        {
            var advertised = await server.CapabilitiesAsync();
            var missing = ImapTestSuite.RequiredCapabilities(script).Where(c => !advertised.Contains(c)).ToList();
            Assert.True(missing.Count > 0, $"imaptest skipped '{script}' although Postern advertises every capability it declares:\n{run.All}");
            Skip.If(true, $"skipped by imaptest: Postern does not advertise {string.Join(", ", missing)}");
        }

        Assert.True(outcome.Verdict == ImapTestVerdict.Pass, $"imaptest '{script}': {outcome.Why}\n{Excerpt(run.All)}");
    }

    /// <summary>The binary and its scripts; missing: skipped, or a failure under POSTERN_REQUIRE_CLIENTS=1.</summary>
    private static string RequireImapTest()
    {
        var binary = ImapTestSuite.Binary;
        if (binary is null || !File.Exists(binary))
        {
            ExternalClient.Missing($"imaptest (no shared/imaptest/imaptest in any folder above {AppContext.BaseDirectory})");
        }

        return binary!;
    }

    /// <summary>imaptest's log names each failed command, the reply and what was expected; long logs are cut.</summary>
    private static string Excerpt(string log) => log.Length <= 8000 ? log : log[..8000] + "\n[... cut]";
}
