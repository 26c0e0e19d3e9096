using Postern.Fuzz.Support;
using Postern.Net;

namespace Postern.Fuzz.Targets;

/// <summary>
/// SMTP command lines through the real session, as two clients: an MX peer on port 25 (plaintext,
/// no AUTH) and a logged-in submission client on 465 (implicit TLS, after EHLO and AUTH PLAIN).
/// Each line is sent when the server waits for one, so the input reaches the command parser and
/// the state machine rather than the pipelining rules alone.
/// </summary>
public sealed class SmtpCommandTarget : IFuzzTarget
{
    public static string SubmissionLogin => $"EHLO client.test\r\nAUTH PLAIN {Script.PlainLogin}\r\n";

    public string Name => "smtp";

    public void Run(ReadOnlySpan<byte> input)
    {
        SmtpSessions.Run(MailProtocol.SmtpRelay, TlsMode.StartTls, input.ToArray());
        SmtpSessions.Run(MailProtocol.Submission, TlsMode.Implicit, Script.Of(SubmissionLogin, input));
    }
}
