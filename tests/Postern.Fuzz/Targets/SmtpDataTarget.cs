using Postern.Fuzz.Support;
using Postern.Net;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The DATA line reader and end-of-data state machine (dot-stuffing, bare CR/LF, the size limit,
/// Received/hop counting, delivery into the store): the input is what follows a 354 on port 25.
/// </summary>
public sealed class SmtpDataTarget : IFuzzTarget
{
    public const string Envelope = "EHLO peer.test\r\nMAIL FROM:<sender@peer.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n";

    public string Name => "smtp-data";

    public void Run(ReadOnlySpan<byte> input) =>
        SmtpSessions.Run(MailProtocol.SmtpRelay, TlsMode.StartTls, Script.Of(Envelope, input));
}
