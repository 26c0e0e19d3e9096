using Postern.Net.Diagnostics;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>The ClientHello reader behind the "outdated TLS" diagnosis: real hellos, truncations, garbage.</summary>
public sealed class ClientHelloTests
{
    /// <summary>Builds a ClientHello record with the given legacy version and optional supported_versions.</summary>
    private static byte[] Hello(int legacy, params int[] supported)
    {
        var body = new List<byte> { (byte)(legacy >> 8), (byte)legacy };
        body.AddRange(new byte[32]);            // random
        body.Add(0);                            // session id
        body.AddRange(new byte[] { 0, 2, 0x13, 0x01 }); // one cipher suite
        body.AddRange(new byte[] { 1, 0 });     // null compression
        var ext = new List<byte>();
        if (supported.Length > 0)
        {
            ext.AddRange(new byte[] { 0x00, 0x2b, 0, (byte)(1 + (2 * supported.Length)), (byte)(2 * supported.Length) });
            foreach (int v in supported)
            {
                ext.Add((byte)(v >> 8));
                ext.Add((byte)v);
            }
        }

        body.Add((byte)(ext.Count >> 8));
        body.Add((byte)ext.Count);
        body.AddRange(ext);
        var hs = new List<byte> { 0x01, 0, (byte)(body.Count >> 8), (byte)body.Count };
        hs.AddRange(body);
        var rec = new List<byte> { 0x16, 0x03, 0x01, (byte)(hs.Count >> 8), (byte)hs.Count };
        rec.AddRange(hs);
        return [.. rec];
    }

    [Fact]
    public void TLS_1_3_hello_reports_the_supported_versions_maximum_not_the_legacy_field() =>
        Assert.Equal(0x0304, ClientHello.HighestOfferedVersion(Hello(0x0303, 0x0a0a, 0x0304, 0x0303)));

    [Fact]
    public void Old_hello_without_extensions_reports_its_legacy_version() =>
        Assert.Equal(0x0302, ClientHello.HighestOfferedVersion(Hello(0x0302)));

    [Fact]
    public void Grease_only_supported_versions_falls_back_to_legacy() =>
        Assert.Equal(0x0301, ClientHello.HighestOfferedVersion(Hello(0x0301, 0x1a1a)));

    [Fact]
    public void Every_truncation_gives_a_version_or_null_and_never_throws()
    {
        var full = Hello(0x0303, 0x0304);
        for (int n = 0; n < full.Length; n++)
        {
            var v = ClientHello.HighestOfferedVersion(full.AsSpan(0, n));
            Assert.True(v is null or 0x0303 or 0x0304, $"length {n} gave {v}");
        }
    }

    [Theory]
    [InlineData("a1 CAPABILITY\r\n")]
    [InlineData("EHLO x\r\n")]
    [InlineData("")]
    public void Plaintext_is_not_taken_for_TLS(string text) =>
        Assert.False(ClientHello.LooksLikeTls(System.Text.Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Diagnosis_separates_plaintext_outdated_silence_and_certificate_alerts()
    {
        Assert.Equal(ClientMistake.PlaintextOnImplicitTlsPort, ClientMistakes.Diagnose("a1 LOGIN"u8, null, false, implicitTls: true)?.Kind);
        Assert.Null(ClientMistakes.Diagnose("a1 LOGIN"u8, null, false, implicitTls: false));
        Assert.Equal((ClientMistake.OutdatedTls, "TLS 1.1"), ClientMistakes.Diagnose(Hello(0x0302), null, false, implicitTls: true));
        Assert.Equal(ClientMistake.SilentOnImplicitTlsPort, ClientMistakes.Diagnose([], null, timedOut: true, implicitTls: true)?.Kind);
        Assert.Null(ClientMistakes.Diagnose([], null, timedOut: false, implicitTls: true));
        var alert = new System.Security.Authentication.AuthenticationException("outer", new Exception("error:0A000418:SSL routines::tlsv1 alert unknown ca"));
        Assert.Equal((ClientMistake.CertificateRejected, "unknown_ca"), ClientMistakes.Diagnose(Hello(0x0303, 0x0304), alert, false, implicitTls: true));
    }
}
