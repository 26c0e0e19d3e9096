namespace Postern.Integration.Tests.Support;

/// <summary>IMAP on a <see cref="RawClient"/>, for the tests that send exact bytes once logged in.</summary>
public static class RawImap
{
    /// <summary>A session on <paramref name="server"/>'s 993, logged in as <paramref name="user"/>, every wait bounded by <paramref name="bound"/>.</summary>
    public static async Task<RawClient> LoginAsync(PosternServer server, string user, TimeSpan bound)
    {
        var imap = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        try
        {
            imap.Timeout = bound;
            Assert.StartsWith("* OK", await imap.ReadLineAsync());
            var (_, login) = await imap.ImapAsync("l1", $"LOGIN {PosternServer.User(user)} \"{PosternServer.Password}\"");
            Assert.StartsWith("l1 OK", login, StringComparison.Ordinal);
            return imap;
        }
        catch
        {
            await imap.DisposeAsync();
            throw;
        }
    }
}
