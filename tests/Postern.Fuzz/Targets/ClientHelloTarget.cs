using Postern.Net.Diagnostics;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The ClientHello reader behind the wrong-client-setting diagnostics: what a failed handshake
/// recorded (the client's first bytes) goes through <see cref="ClientMistakes.Diagnose"/> as the
/// connection does, for both implicit-TLS and STARTTLS ports.
/// </summary>
public sealed class ClientHelloTarget : IFuzzTarget
{
    private static readonly Exception Alert = new System.Security.Authentication.AuthenticationException("tlsv1 alert unknown ca");

    public string Name => "client-hello";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (ClientHello.HighestOfferedVersion(input) is int version)
        {
            ClientHello.Name(version);
        }

        ClientMistakes.Diagnose(input, null, timedOut: false, implicitTls: true);
        ClientMistakes.Diagnose(input, Alert, timedOut: false, implicitTls: false);
        ClientMistakes.Diagnose(input, null, timedOut: true, implicitTls: true);
    }
}
