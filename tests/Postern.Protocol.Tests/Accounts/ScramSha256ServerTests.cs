using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailKit.Security;
using Postern.Protocol.Tests.Support;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Accounts;

/// <summary>SCRAM-SHA-256 against MailKit's client mechanism, and -PLUS with tls-server-end-point against an RFC 5802 client written here.</summary>
public sealed class ScramSha256ServerTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static string Text(string b64) => Encoding.UTF8.GetString(Convert.FromBase64String(b64));

    [Fact]
    public async Task MailKit_authenticates_with_the_right_password_and_verifies_the_server_signature()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        var client = new SaslMechanismScramSha256(new NetworkCredential("alice@example.org", "secret"));
        var server = new ScramSha256Server(store, plus: false, serverEndPoint: null);

        string clientFirst = Text(client.Challenge(null));
        string? serverFirst = await server.StartAsync(clientFirst, default);
        Assert.NotNull(serverFirst);
        string clientFinal = Text(client.Challenge(B64(serverFirst)));
        var result = server.Finish(clientFinal);
        Assert.NotNull(result);
        Assert.Equal(alice.Id, result.Value.Account.Id);

        // MailKit checks the server signature: a wrong one would throw here.
        client.Challenge(B64(result.Value.ServerFinal));
        Assert.True(client.IsAuthenticated);
    }

    [Theory]
    [InlineData("alice@example.org", "wrong password", ScramFailure.WrongProof)]
    [InlineData("nobody@example.org", "secret", ScramFailure.UnknownUser)]
    public async Task A_wrong_password_and_an_unknown_user_both_fail_only_at_the_proof(string user, string password, ScramFailure reason)
    {
        var (store, _, _) = await TestServer.CreateStoreAsync();
        var client = new SaslMechanismScramSha256(new NetworkCredential(user, password));
        var server = new ScramSha256Server(store, plus: false, serverEndPoint: null);
        string? serverFirst = await server.StartAsync(Text(client.Challenge(null)), default);
        Assert.NotNull(serverFirst);
        Assert.Matches("^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$", serverFirst);
        Assert.Null(server.Finish(Text(client.Challenge(B64(serverFirst)))));
        Assert.Equal(reason, server.Failure);
    }

    [Fact]
    public async Task An_account_without_SCRAM_keys_fails_at_the_proof_like_an_unknown_user_and_the_log_learns_why()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        // What the schema upgrade leaves: the password hash, no keys.
        Assert.True(await store.SetPasswordHashAsync(alice.Address, alice.PasswordHash));

        var salts = new List<string>();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var client = new SaslMechanismScramSha256(new NetworkCredential(alice.Address, "secret"));
            var server = new ScramSha256Server(store, plus: false, serverEndPoint: null, decoyIterations: 8192);
            string? serverFirst = await server.StartAsync(Text(client.Challenge(null)), default);
            Assert.NotNull(serverFirst);
            var attrs = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
            Assert.Equal("8192", attrs['i']);
            salts.Add(attrs['s']);
            Assert.Null(server.Finish(Text(client.Challenge(B64(serverFirst)))));
            Assert.Equal(ScramFailure.NoKeys, server.Failure);
            Assert.Equal(alice.Id, server.AccountId);
        }

        // The same salt each time, as for a real account: nothing tells the client the keys are missing.
        Assert.Equal(salts[0], salts[1]);
    }

    [Theory]
    [InlineData(ScramKeys.MinIterations)]
    [InlineData(ScramKeys.MaxIterations)]
    public async Task The_announced_iteration_count_is_the_stored_keys_count_and_never_more_than_Cyrus_SASL_accepts(int iterations)
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        Assert.True(await store.SetPasswordHashAsync(alice.Address, alice.PasswordHash, ScramKeys.Derive("secret", iterations)));
        var client = new SaslMechanismScramSha256(new NetworkCredential(alice.Address, "secret"));
        var server = new ScramSha256Server(store, plus: false, serverEndPoint: null);
        string serverFirst = (await server.StartAsync(Text(client.Challenge(null)), default))!;

        int announced = int.Parse(serverFirst.Split(',').Single(p => p.StartsWith("i=", StringComparison.Ordinal))[2..]);
        Assert.Equal(iterations, announced);
        Assert.InRange(announced, 4096, 65_536);
        Assert.NotNull(server.Finish(Text(client.Challenge(B64(serverFirst)))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("n,,")]
    [InlineData("x,,n=alice@example.org,r=abcdefghijkl")]
    [InlineData("n,,n=alice@example.org")]
    [InlineData("n,,m=ext,n=alice@example.org,r=abcdefghijkl")]
    [InlineData("n,,n=alice@example.org,r=short")]
    [InlineData("p=tls-server-end-point,,n=alice@example.org,r=abcdefghijkl")]
    public async Task Malformed_or_mismatched_client_first_messages_are_refused(string clientFirst)
    {
        var (store, _, _) = await TestServer.CreateStoreAsync();
        var server = new ScramSha256Server(store, plus: false, serverEndPoint: null);
        Assert.Null(await server.StartAsync(clientFirst, default));
    }

    [Fact]
    public async Task Plain_SCRAM_with_the_y_flag_over_TLS_is_a_downgrade_and_refused()
    {
        var (store, _, _) = await TestServer.CreateStoreAsync();
        var server = new ScramSha256Server(store, plus: false, serverEndPoint: new byte[32]);
        Assert.Null(await server.StartAsync("y,,n=alice@example.org,r=abcdefghijkl", default));
    }

    [Fact]
    public async Task Plus_binds_to_the_server_certificate_and_refuses_another_binding()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        byte[] binding = ScramSha256Server.ServerEndPoint(TestServer.Tls.Certificate);
        Assert.Equal(32, binding.Length);

        Assert.NotNull(await RunPlusClientAsync(store, alice.Address, "secret", serverBinding: binding, clientBinding: binding));
        byte[] other = (byte[])binding.Clone();
        other[0] ^= 1;
        Assert.Null(await RunPlusClientAsync(store, alice.Address, "secret", serverBinding: binding, clientBinding: other));
    }

    [Fact]
    public async Task Plus_binds_to_the_tls_exporter_when_the_connection_has_one()
    {
        var (store, _, alice) = await TestServer.CreateStoreAsync();
        byte[] endPoint = ScramSha256Server.ServerEndPoint(TestServer.Tls.Certificate);
        byte[] exporter = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        Assert.NotNull(await RunPlusClientAsync(store, alice.Address, "secret", endPoint, exporter, "tls-exporter", exporter: exporter));
        // The certificate hash is not the exporter: binding the wrong value fails at the proof.
        Assert.Null(await RunPlusClientAsync(store, alice.Address, "secret", endPoint, endPoint, "tls-exporter", exporter: exporter));
        // Without an exporter on the connection, asking for tls-exporter is refused at once.
        var server = new ScramSha256Server(store, plus: true, serverEndPoint: endPoint, exporter: null);
        Assert.Null(await server.StartAsync("p=tls-exporter,,n=alice@example.org,r=clientnonce0123", default));
        // Unknown binding types are refused too.
        server = new ScramSha256Server(store, plus: true, serverEndPoint: endPoint, exporter: exporter);
        Assert.Null(await server.StartAsync("p=tls-unique,,n=alice@example.org,r=clientnonce0123", default));
    }

    /// <summary>A minimal RFC 5802 client: returns the server-final message on success, null on refusal.</summary>
    private static async Task<string?> RunPlusClientAsync(MemoryMailStore store, string user, string password, byte[] serverBinding, byte[] clientBinding, string cbType = "tls-server-end-point", byte[]? exporter = null)
    {
        var server = new ScramSha256Server(store, plus: true, serverEndPoint: serverBinding, exporter: exporter);
        string gs2 = $"p={cbType},,";
        string bare = $"n={user},r=clientnonce0123";
        string? serverFirst = await server.StartAsync(gs2 + bare, default);
        Assert.NotNull(serverFirst);
        var attrs = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attrs['s']), int.Parse(attrs['i']), HashAlgorithmName.SHA256, 32);
        string withoutProof = $"c={Convert.ToBase64String([.. Encoding.ASCII.GetBytes(gs2), .. clientBinding])},r={attrs['r']}";
        string authMessage = $"{bare},{serverFirst},{withoutProof}";
        byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        byte[] signature = HMACSHA256.HashData(SHA256.HashData(clientKey), Encoding.UTF8.GetBytes(authMessage));
        byte[] proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        var result = server.Finish($"{withoutProof},p={Convert.ToBase64String(proof)}");
        return result?.ServerFinal;
    }
}
