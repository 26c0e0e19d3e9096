using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap.ImapTest;

/// <summary>
/// A Postern of its own for Dovecot's imaptest scripts (so they run beside the other collections),
/// with a throwaway user per script: the scripts create and delete <c>imaptest*</c> mailboxes and
/// must not see each other's.
/// </summary>
public sealed class ImapTestServerFixture : ServerFixture
{
    private Task<IReadOnlySet<string>>? _capabilities;

    /// <summary>Adds a fresh user (CLI, as an administrator would, while the server runs) and returns its address.</summary>
    public async Task<string> AddUserAsync(string script)
    {
        string user = User($"it-{script}-{Guid.NewGuid().ToString("N")[..6]}");
        var r = await PosternCli.RunAsync(DataDir, Password + "\n", "user", "add", user);
        Assert.True(r.ExitCode == 0, r.ToString());
        return user;
    }

    /// <summary>The capabilities Postern advertises after login (asked once, over implicit TLS), upper-cased.</summary>
    public Task<IReadOnlySet<string>> CapabilitiesAsync() => _capabilities ??= AskCapabilitiesAsync();

    private async Task<IReadOnlySet<string>> AskCapabilitiesAsync()
    {
        await using var c = await RawClient.ConnectAsync(this, 993, implicitTls: true);
        await c.ReadLineAsync();
        await c.SendLineAsync($"a LOGIN {User("alice")} \"{Password}\"");
        Assert.StartsWith("a OK", (await c.ReadUntilAsync("a "))[^1]);
        await c.SendLineAsync("b CAPABILITY");
        var line = (await c.ReadUntilAsync("b ")).Single(l => l.StartsWith("* CAPABILITY ", StringComparison.Ordinal));
        return line["* CAPABILITY ".Length..].Split(' ').Select(s => s.ToUpperInvariant()).ToHashSet();
    }
}

[CollectionDefinition(Name)]
public sealed class ImapTestServerCollection : ICollectionFixture<ImapTestServerFixture>
{
    public const string Name = "Postern server for imaptest";
}
