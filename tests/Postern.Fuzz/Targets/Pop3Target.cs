using Postern.Fuzz.Support;
using Postern.Net;
using Postern.Pop3;

namespace Postern.Fuzz.Targets;

/// <summary>
/// POP3 command lines through the real session: in AUTHORIZATION on the plaintext STLS endpoint
/// (110), and in TRANSACTION over implicit TLS (995) after USER/PASS, with three messages to
/// LIST, RETR, TOP, DELE and UIDL.
/// </summary>
public sealed class Pop3Target : IFuzzTarget
{
    public const string Login = "USER " + Fixtures.User + "\r\nPASS " + Fixtures.Password + "\r\n";

    public string Name => "pop3";

    public void Run(ReadOnlySpan<byte> input)
    {
        Run(TlsMode.StartTls, input.ToArray());
        Run(TlsMode.Implicit, Script.Of(Login, input));
    }

    /// <summary>One POP3 session; returns the start of the server's output.</summary>
    public static string Run(TlsMode mode, byte[] script)
    {
        var (store, auth) = Fixtures.CreateStoreAsync().GetAwaiter().GetResult();
        var log = new FaultLog<Pop3Handler>();
        var handler = new Pop3Handler(store, auth, new ServerIdentity("mail.test"), new Pop3Options(), log);
        string transcript = SessionDriver.Run(handler, MailProtocol.Pop3, mode, script);
        log.ThrowIfAny();
        return transcript;
    }
}
