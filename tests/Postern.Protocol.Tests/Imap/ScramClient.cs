using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>A minimal RFC 5802 SCRAM-SHA-256 client (no channel binding) for AUTHENTICATE over an <see cref="ImapFixture"/> session.</summary>
internal static class ScramClient
{
    /// <summary>Runs one exchange; returns the server-first message and the tagged response line.</summary>
    public static async Task<(string ServerFirst, string Tagged)> AuthenticateAsync(ImapFixture f, string tag, string user, string password)
    {
        string bare = $"n={user},r=clientnonce{tag}";
        await f.Client.SendLineAsync($"{tag} AUTHENTICATE SCRAM-SHA-256 " + B64("n,," + bare));
        string first = (await f.Client.ReadLineAsync())!;
        Assert.StartsWith("+ ", first);
        string serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(first[2..]));
        var attrs = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attrs['s']), int.Parse(attrs['i']), HashAlgorithmName.SHA256, 32);
        string withoutProof = $"c={B64("n,,")},r={attrs['r']}";
        byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        byte[] signature = HMACSHA256.HashData(SHA256.HashData(clientKey), Encoding.UTF8.GetBytes($"{bare},{serverFirst},{withoutProof}"));
        await f.Client.SendLineAsync(B64($"{withoutProof},p={Convert.ToBase64String(clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray())}"));
        string next = (await f.Client.ReadLineAsync())!;
        if (next.StartsWith("+ ", StringComparison.Ordinal))
        {
            // The server signature; the client checks it and answers with an empty line.
            byte[] serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
            string expected = "v=" + Convert.ToBase64String(HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes($"{bare},{serverFirst},{withoutProof}")));
            Assert.Equal(expected, Encoding.UTF8.GetString(Convert.FromBase64String(next[2..])));
            await f.Client.SendLineAsync("");
            next = (await f.Client.ReadUntilAsync(tag + " "))[^1];
        }

        return (serverFirst, next);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
