using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Postern.Net;
using Postern.Protocol.Tests.Support;
using Xunit;

namespace Postern.Protocol.Tests.Net;

/// <summary>
/// The exporter behind SCRAM's tls-exporter binding: both ends of a real TLS session on loopback,
/// each asking its own OpenSSL, must derive the same 32 bytes, and a new session must differ.
/// </summary>
public sealed class TlsExporterTests
{
    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task Client_and_server_export_the_same_bytes_and_each_session_differs(SslProtocols protocol)
    {
        Assert.True(OperatingSystem.IsLinux(), "Postern's exporter is for Linux/OpenSSL.");
        var (client1, server1) = await HandshakeAsync(protocol);
        var (client2, server2) = await HandshakeAsync(protocol);
        Assert.NotNull(client1);
        Assert.Equal(32, client1!.Length);
        Assert.Equal(client1, server1);
        Assert.Equal(client2, server2);
        Assert.NotEqual(client1, client2);
    }

    private static async Task<(byte[]? Client, byte[]? Server)> HandshakeAsync(SslProtocols protocol)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = listener.AcceptTcpClientAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var serverTcp = await accept;
        await using var server = new SslStream(serverTcp.GetStream());
        await using var client = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = TestServer.Tls.Certificate, EnabledSslProtocols = protocol }, cts.Token),
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol }, cts.Token));
        return (TlsExporter.TryExport(client), TlsExporter.TryExport(server));
    }
}
