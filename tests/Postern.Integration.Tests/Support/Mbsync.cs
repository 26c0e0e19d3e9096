namespace Postern.Integration.Tests.Support;

/// <summary>mbsync (isync) set up against the test server as a user would: every folder, both ways, into a local Maildir.</summary>
public static class Mbsync
{
    /// <summary>
    /// Writes an mbsyncrc into <paramref name="dir"/> and returns its path. <paramref name="authMechs"/>
    /// is isync's AuthMechs: naming one mechanism makes mbsync use it or fail, never fall back.
    /// </summary>
    public static async Task<string> WriteConfigAsync(ServerFixture server, string dir, string local, string user, int port, string tlsType, string authMechs)
    {
        string config = Path.Combine(dir, "mbsyncrc-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(config, $"""
            IMAPAccount postern
            Host localhost
            Port {server.Port(port)}
            User {user}
            Pass "{ServerFixture.Password}"
            SSLType {tlsType}
            CertificateFile {server.CertPath}
            AuthMechs {authMechs}

            IMAPStore remote
            Account postern

            MaildirStore local
            Path {local}
            Inbox {local}INBOX
            SubFolders Verbatim

            Channel sync
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Expunge Both
            SyncState *

            """);
        return config;
    }
}
