using System.Security.Cryptography;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Imap;

/// <summary>
/// SCRAM-SHA-256-PLUS with the RFC 9266 tls-exporter binding against the running server on 993:
/// an RFC 5802 client written here, binding to its own end of the TLS session. (MailKit binds with
/// tls-server-end-point; ImapFeatureTests covers that.)
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ScramExporterTests(ServerFixture server)
{
    [Fact]
    public async Task Scram_plus_with_tls_exporter_logs_in_and_a_foreign_binding_is_refused()
    {
        Assert.Equal("OK", await AuthenticateAsync(tamper: false));
        Assert.Equal("NO", await AuthenticateAsync(tamper: true));
    }

    private async Task<string> AuthenticateAsync(bool tamper)
    {
        await using var c = await RawClient.ConnectAsync(server, 993, implicitTls: true);
        Assert.StartsWith("* OK", await c.ReadLineAsync());
        byte[] binding = Postern.Net.TlsExporter.TryExport(c.Tls!) ?? throw new InvalidOperationException("No TLS exporter on this platform.");
        if (tamper)
        {
            binding[0] ^= 1; // as if a man in the middle terminated TLS: his session's exporter differs
        }

        string user = ServerFixture.User("bob");
        const string gs2 = "p=tls-exporter,,";
        string bare = $"n={user},r=exporternonce{Guid.NewGuid():N}";
        await c.SendLineAsync("a AUTHENTICATE SCRAM-SHA-256-PLUS " + B64(gs2 + bare));
        string challenge = (await c.ReadLineAsync())!;
        Assert.StartsWith("+ ", challenge);
        string serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(challenge[2..]));
        var attrs = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        // The count of the stored SCRAM keys, which Cyrus SASL clients accept (at most 65,536), not
        // the 100,000 of the password hash (issue 10 point 1).
        Assert.Equal("4096", attrs['i']);
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(ServerFixture.Password), Convert.FromBase64String(attrs['s']), int.Parse(attrs['i']), HashAlgorithmName.SHA256, 32);
        string withoutProof = $"c={Convert.ToBase64String([.. Encoding.ASCII.GetBytes(gs2), .. binding])},r={attrs['r']}";
        string authMessage = $"{bare},{serverFirst},{withoutProof}";
        byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        byte[] signature = HMACSHA256.HashData(SHA256.HashData(clientKey), Encoding.UTF8.GetBytes(authMessage));
        byte[] proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        await c.SendLineAsync(B64($"{withoutProof},p={Convert.ToBase64String(proof)}"));
        string next = (await c.ReadLineAsync())!;
        if (next.StartsWith("+ ", StringComparison.Ordinal))
        {
            // server-final-message: the server proves it knows the password too; check it, then
            // send the empty response RFC 9051 6.2.2 expects before the tagged OK.
            byte[] serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
            string expected = "v=" + Convert.ToBase64String(HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes(authMessage)));
            Assert.Equal(expected, Encoding.UTF8.GetString(Convert.FromBase64String(next[2..])));
            await c.SendLineAsync("");
            next = (await c.ReadUntilAsync("a "))[^1];
        }
        else if (!next.StartsWith("a ", StringComparison.Ordinal))
        {
            next = (await c.ReadUntilAsync("a "))[^1];
        }

        string final = next;
        return final.Split(' ')[1];
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
