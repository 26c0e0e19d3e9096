using Postern.Net;
using Postern.Smtp;

namespace Postern.Fuzz.Support;

/// <summary>Runs scripts against a real SMTP session (the handler every SMTP endpoint runs).</summary>
public static class SmtpSessions
{
    private static readonly Lazy<string> Spool = new(() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"postern-fuzz-spool-{Environment.ProcessId}")).FullName);

    public static string Run(MailProtocol protocol, TlsMode mode, byte[] script)
    {
        var (store, auth) = Fixtures.CreateStoreAsync().GetAwaiter().GetResult();
        var log = new FaultLog<SmtpHandler>();
        var handler = new SmtpHandler(store, auth, new ServerIdentity("mail.test"), new SmtpOptions { SpoolDirectory = Spool.Value }, log);
        string transcript = SessionDriver.Run(handler, protocol, mode, script);
        log.ThrowIfAny();
        return transcript;
    }
}
