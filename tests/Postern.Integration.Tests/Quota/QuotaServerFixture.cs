using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Quota;

/// <summary>
/// A Postern of its own, configured with small quotas through serve's --Quota:... switches: 1 MB for
/// everyone, 2 MB for alice.
/// </summary>
public sealed class QuotaServerFixture() : ServerFixture("--Quota:DefaultStorageMB=1", $"--Quota:Users:{User("alice")}=2")
{
    public const long LimitBytes = 1024 * 1024;

    public Task<ImapClient> ImapAsync(string user) => MailKitClients.ImapAsync(this, 993, user);

    public Task<SmtpClient> SmtpAsync(int standardPort, string? user = null) => MailKitClients.SmtpAsync(this, standardPort, user);
}

[CollectionDefinition(Name)]
public sealed class QuotaServerCollection : ICollectionFixture<QuotaServerFixture>
{
    public const string Name = "Postern server with quotas";
}
