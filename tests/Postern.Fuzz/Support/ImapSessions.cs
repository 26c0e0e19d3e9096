using Postern.Imap;
using Postern.Net;

namespace Postern.Fuzz.Support;

/// <summary>The IMAP session states a script can start in, each reached as a client reaches it.</summary>
public enum ImapStart
{
    /// <summary>Plaintext on a STARTTLS endpoint (143), before login.</summary>
    NotAuthenticated,

    /// <summary>Implicit TLS (993), after LOGIN.</summary>
    Authenticated,

    /// <summary>Implicit TLS, after LOGIN and SELECT INBOX (three messages).</summary>
    Selected,
}

/// <summary>Runs scripts against a real IMAP session (the handler the IMAP endpoints run).</summary>
public static class ImapSessions
{
    public const string Login = "P1 LOGIN " + Fixtures.User + " " + Fixtures.Password + "\r\n";
    public const string Select = "P2 SELECT INBOX\r\n";

    public static string Run(ImapStart start, ReadOnlySpan<byte> input, string suffix = "") =>
        RunScript(start, Preamble(start), input, suffix);

    /// <summary>
    /// Runs "T1 VERB1 input", "T2 VERB2 input"... in one session started in <paramref name="start"/>
    /// (the argument parser targets: the input is the arguments of each command).
    /// </summary>
    public static string RunCommands(ImapStart start, ReadOnlySpan<byte> arguments, params string[] verbs)
    {
        var script = new MemoryStream();
        script.Write(System.Text.Encoding.UTF8.GetBytes(Preamble(start)));
        for (int i = 0; i < verbs.Length; i++)
        {
            script.Write(System.Text.Encoding.UTF8.GetBytes($"T{i + 1} {verbs[i]} "));
            script.Write(arguments);
            script.Write("\r\n"u8);
        }

        return RunScript(start, "", script.ToArray(), "");
    }

    private static string Preamble(ImapStart start) => start switch
    {
        ImapStart.Authenticated => Login,
        ImapStart.Selected => Login + Select,
        _ => "",
    };

    private static string RunScript(ImapStart start, string preamble, ReadOnlySpan<byte> input, string suffix)
    {
        var (store, auth) = Fixtures.CreateStoreAsync().GetAwaiter().GetResult();
        var log = new FaultLog<ImapHandler>();
        var handler = new ImapHandler(store, auth, new ServerIdentity("mail.test"), new ImapOptions(), log);
        var mode = start == ImapStart.NotAuthenticated ? TlsMode.StartTls : TlsMode.Implicit;
        string transcript = SessionDriver.Run(handler, MailProtocol.Imap, mode, Script.Of(preamble, input, suffix));
        log.ThrowIfAny();
        return transcript;
    }
}
