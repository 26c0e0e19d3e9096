using Postern.Storage.Sqlite;

namespace Postern.Storage.Tests.Support;

internal static class StoreHelpers
{
    /// <summary>The store does not check hashes; any non-empty string will do in these tests.</summary>
    public const string Hash = "pbkdf2-sha256$1$c2FsdA==$aGFzaA==";

    /// <summary>Opens a store with domain example.org and account alice@example.org.</summary>
    public static async Task<(SqliteMailStore Store, Account Alice)> OpenWithAliceAsync(string dataDirectory)
    {
        var store = await SqliteMailStore.OpenAsync(dataDirectory);
        await store.AddDomainAsync("example.org");
        var alice = await store.AddAccountAsync("alice@example.org", Hash);
        return (store, alice);
    }

    public static async Task<long> InboxIdAsync(IMailStore store, long accountId) =>
        (await store.GetMailboxAsync(accountId, "INBOX"))!.Id;

    public static Task<uint> AppendTextAsync(IMailStore store, long mailboxId, string text, MessageFlags flags = MessageFlags.None) =>
        store.AppendAsync(mailboxId, new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text)), flags, DateTimeOffset.UtcNow);

    /// <summary>Body files in the fan-out folders (not messages/tmp).</summary>
    public static string[] BodyFiles(string dataDirectory)
    {
        string root = Path.Combine(dataDirectory, "messages");
        return [.. Directory.EnumerateFiles(root, "*.eml", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(root, f).StartsWith("tmp", StringComparison.Ordinal))];
    }

    public static string[] TmpFiles(string dataDirectory) =>
        Directory.GetFiles(Path.Combine(dataDirectory, "messages", "tmp"));

    public static async Task<byte[]> ReadBodyAsync(IMailStore store, long mailboxId, uint uid)
    {
        await using var stream = await store.OpenMessageAsync(mailboxId, uid);
        Assert.NotNull(stream);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }
}
