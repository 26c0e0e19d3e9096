using System.Net;
using System.Security.Cryptography;
using System.Text;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>
/// SCRAM must not be the unthrottled way to guess passwords: its failures feed the same
/// per-address penalty as LOGIN and PLAIN (issue 5 point 6), and a success clears it.
/// </summary>
public sealed class ScramPenaltyTests
{
    [Fact]
    public async Task Failed_scram_proofs_raise_the_penalty_and_a_good_one_clears_it()
    {
        var client = IPAddress.Parse("192.0.2.44");
        // The session runs in tasks started from here, so it sees this connection's address.
        AuthClient.Current = client;
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        var throttle = f.Auth.Throttle;
        Assert.Equal(TimeSpan.Zero, throttle.PenaltyFor(client, "alice@example.org"));

        Assert.StartsWith("a NO", await ScramAsync(f, "a", "wrong password"));
        Assert.True(throttle.PenaltyFor(client, "alice@example.org") > TimeSpan.Zero, "a failed SCRAM proof must count as a failed login");

        Assert.StartsWith("b OK", await ScramAsync(f, "b", "secret"));
        Assert.Equal(TimeSpan.Zero, throttle.PenaltyFor(client, "alice@example.org"));
    }

    /// <summary>An RFC 5802 client exchange over the session; returns the tagged line.</summary>
    private static async Task<string> ScramAsync(ImapFixture f, string tag, string password)
    {
        string bare = $"n=alice@example.org,r=penaltynonce{tag}";
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
            await f.Client.SendLineAsync("");
            next = (await f.Client.ReadUntilAsync(tag + " "))[^1];
        }

        return next;
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
}
