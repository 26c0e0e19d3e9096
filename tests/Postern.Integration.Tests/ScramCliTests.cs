using Postern.Integration.Tests.Support;
using Postern.Storage.Accounts;
using Postern.Storage.Sqlite;

namespace Postern.Integration.Tests;

/// <summary>
/// `postern user add` and `user passwd` write the SCRAM-SHA-256 keys with the password hash, at
/// Auth:ScramIterations (issue 10 point 1); a count SCRAM clients would refuse is a clear error.
/// </summary>
public sealed class ScramCliTests : IDisposable
{
    private const string User = "ann@example.test";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-scramcli-" + Guid.NewGuid().ToString("N")[..8]);

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

    [Fact]
    public async Task User_add_and_passwd_write_SCRAM_keys_for_the_password_at_the_configured_count()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        var r = await PosternCli.RunAsync(_dir, "first long password\n", "user", "add", User);
        Assert.True(r.ExitCode == 0, r.ToString());
        var (hash, keys) = await ReadAsync();
        Assert.True(PasswordHasher.Verify("first long password", hash));
        Assert.Equal(ScramKeys.Derive("first long password", keys!.Salt, 4096), keys);

        // Environment variables override postern.json, as for serve.
        r = await CliAsync("second long password\n", "8192", "user", "passwd", User);
        Assert.True(r.ExitCode == 0, r.ToString());
        (hash, keys) = await ReadAsync();
        Assert.True(PasswordHasher.Verify("second long password", hash));
        Assert.Equal(ScramKeys.Derive("second long password", keys!.Salt, 8192), keys);
    }

    [Theory]
    [InlineData("65537")]
    [InlineData("100000")]
    [InlineData("1000")]
    public async Task A_count_outside_4096_to_65536_is_refused_with_one_sentence(string count)
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        var r = await CliAsync("a long enough password\n", count, "user", "add", User);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"Auth:ScramIterations is {count}", r.StdErr);
        Assert.Contains("4096 to 65536", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    private Task<ProcessResult> CliAsync(string stdin, string scramIterations, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [PosternCli.Dll, "--data", _dir, .. args], stdin, TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["POSTERN_Auth__ScramIterations"] = scramIterations });

    private async Task<(string Hash, ScramKeys? Keys)> ReadAsync()
    {
        await using var store = await SqliteMailStore.OpenForAdministrationAsync(_dir);
        var account = (await store.FindAccountAsync(User))!;
        return (account.PasswordHash, account.Scram);
    }
}
