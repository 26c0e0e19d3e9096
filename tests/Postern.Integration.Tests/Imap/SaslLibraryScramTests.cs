using Postern.Integration.Tests.Support;
using Postern.Storage.Sqlite;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// SCRAM-SHA-256 with the SASL libraries email programs are built on (issue 10 point 1): Cyrus
/// SASL through mbsync, with Debian's libsasl2-modules installed (it refused the 100,000
/// iterations Postern used to announce: "iteration-count is too big, refusing to compute"), and
/// GNU SASL through its own command-line client. Each test names the mechanism, so a fallback to
/// LOGIN or PLAIN cannot hide a failure, and finds the SCRAM login in the server's log under a
/// user of its own, so the line can only come from that test.
/// </summary>
/// <remarks>
/// NeoMutt is not here: Debian's NeoMutt 20220429 uses GNU SASL only after its own PLAIN (which
/// it tries first whatever the server offers), and refuses imap_authenticators="scram-sha-256"
/// as "not a valid authenticator", so it cannot be made to use SCRAM.
/// </remarks>
[Collection(ServerCollection.Name)]
public sealed class SaslLibraryScramTests(ServerFixture server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postern-scram-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data only.
        }
    }

    [SkippableTheory]
    [InlineData(993, "IMAPS")]
    [InlineData(143, "STARTTLS")]
    public async Task Mbsync_with_Cyrus_SASL_logs_in_with_SCRAM_SHA_256(int port, string tlsType)
    {
        var (user, id) = await NewUserAsync();
        var r = await MbsyncAsync(user, port, tlsType, "SCRAM-SHA-256");
        Assert.True(r.ExitCode == 0, r + "\n" + server.Log);
        Assert.Contains("Authenticating with SASL mechanism SCRAM-SHA-256", r.All);
        await server.WaitForLogAsync($"IMAP login succeeded for account {id} via SCRAM-SHA-256");
    }

    /// <summary>
    /// An account from before SCRAM keys: SCRAM fails cleanly and the log says why; one login
    /// with the password writes the keys, and the same SCRAM client then gets in.
    /// </summary>
    [SkippableFact]
    public async Task Mbsync_SCRAM_fails_cleanly_for_an_account_without_keys_and_works_after_one_password_login()
    {
        var (user, id) = await NewUserAsync();
        await using (var store = await SqliteMailStore.OpenForAdministrationAsync(server.DataDir))
        {
            // What the schema upgrade leaves: the password hash, no keys.
            var account = (await store.FindAccountAsync(user))!;
            Assert.True(await store.SetPasswordHashAsync(user, account.PasswordHash));
        }

        var r = await MbsyncAsync(user, 993, "IMAPS", "SCRAM-SHA-256");
        Assert.True(r.ExitCode != 0, "SCRAM without keys must fail:\n" + r);
        Assert.DoesNotContain("iteration-count", r.All);
        await server.WaitForLogAsync($"IMAP SCRAM-SHA-256 login for account {id} failed: the account has no SCRAM keys yet");

        r = await MbsyncAsync(user, 993, "IMAPS", "LOGIN");
        Assert.True(r.ExitCode == 0, r + "\n" + server.Log);
        await server.WaitForLogAsync($"Stored SCRAM-SHA-256 keys (4096 iterations) for account {id} at its password login");

        r = await MbsyncAsync(user, 993, "IMAPS", "SCRAM-SHA-256");
        Assert.True(r.ExitCode == 0, r + "\n" + server.Log);
        await server.WaitForLogAsync($"IMAP login succeeded for account {id} via SCRAM-SHA-256");
    }

    /// <summary>
    /// GNU SASL's client (the library Debian's NeoMutt uses) over 143 with STARTTLS, the only
    /// way it connects. Plain SCRAM-SHA-256 goes with --no-cb: a client able to bind that asks
    /// for it anyway sends the "y" flag, which a server offering -PLUS must refuse (RFC 5802
    /// section 6, downgrade protection), as the last case checks.
    /// </summary>
    [SkippableTheory]
    [InlineData("SCRAM-SHA-256", true)]
    [InlineData("SCRAM-SHA-256-PLUS", false)]
    public async Task Gsasl_logs_in_with_SCRAM(string mechanism, bool noChannelBinding)
    {
        var gsasl = ExternalClient.Require("gsasl");
        var (user, id) = await NewUserAsync();
        string[] args =
        [
            $"--connect=localhost:{server.Port(143)}", "--imap", "--starttls", $"--x509-ca-file={server.CertPath}",
            "--mechanism", mechanism, "--authentication-id", user, "--password", ServerFixture.Password,
        ];
        string[] asked = noChannelBinding ? [.. args, "--no-cb"] : args;
        var r = await ProcessRunner.RunAsync(gsasl, asked, "", TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r + "\n" + server.Log);
        await server.WaitForLogAsync($"IMAP login succeeded for account {id} via {mechanism}");

        if (noChannelBinding)
        {
            r = await ProcessRunner.RunAsync(gsasl, args, "", TimeSpan.FromSeconds(60));
            Assert.True(r.ExitCode != 0, "the y flag over TLS must be refused:\n" + r);
        }
    }

    /// <summary>Adds a user with the CLI beside the running server, as an administrator would.</summary>
    private async Task<(string User, long Id)> NewUserAsync()
    {
        string user = ServerFixture.User("scram" + Guid.NewGuid().ToString("N")[..8]);
        var r = await PosternCli.RunAsync(server.DataDir, ServerFixture.Password + "\n", "user", "add", user);
        Assert.True(r.ExitCode == 0, r.ToString());
        await using var store = await SqliteMailStore.OpenForAdministrationAsync(server.DataDir);
        var account = (await store.FindAccountAsync(user))!;
        Assert.NotNull(account.Scram);
        return (user, account.Id);
    }

    private async Task<ProcessResult> MbsyncAsync(string user, int port, string tlsType, string mechanism)
    {
        var mbsync = ExternalClient.Require("mbsync");
        RequireCyrusScramPlugin();
        string local = Path.Combine(_dir, "mail-" + Guid.NewGuid().ToString("N")[..8]) + "/";
        Directory.CreateDirectory(local);
        string config = await Mbsync.WriteConfigAsync(server, _dir, local, user, port, tlsType, mechanism);
        return await ProcessRunner.RunAsync(mbsync, ["-V", "-c", config, "-a"], timeout: TimeSpan.FromSeconds(60));
    }

    /// <summary>mbsync offers SCRAM only with Cyrus SASL's SCRAM plugin, from Debian's libsasl2-modules.</summary>
    private static void RequireCyrusScramPlugin()
    {
        bool found = Directory.Exists("/usr/lib") && Directory.EnumerateDirectories("/usr/lib")
            .Append("/usr/lib")
            .Any(d => File.Exists(Path.Combine(d, "sasl2", "libscram.so")) || File.Exists(Path.Combine(d, "sasl2", "libscram.so.2")));
        if (!found)
        {
            ExternalClient.Missing("Cyrus SASL SCRAM plugin (Debian package libsasl2-modules)");
        }
    }
}
