using System.Security.Cryptography;
using System.Text;
using Postern.Storage.Accounts;
using Xunit;

namespace Postern.Protocol.Tests.Accounts;

/// <summary>The stored SCRAM-SHA-256 keys against the example exchange of RFC 7677 section 3.</summary>
public sealed class ScramKeysTests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string ClientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string ServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string ClientFinalWithoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string Proof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string ServerSignature = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public void Keys_derived_from_the_password_check_the_RFC_7677_proof_and_sign_as_the_RFC_server_does()
    {
        var keys = ScramKeys.Derive("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        byte[] authMessage = Encoding.UTF8.GetBytes($"{ClientFirstBare},{ServerFirst},{ClientFinalWithoutProof}");

        byte[] clientSignature = HMACSHA256.HashData(keys.StoredKey, authMessage);
        byte[] clientKey = Convert.FromBase64String(Proof).Zip(clientSignature, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(keys.StoredKey, SHA256.HashData(clientKey));
        Assert.Equal(ServerSignature, Convert.ToBase64String(HMACSHA256.HashData(keys.ServerKey, authMessage)));

        var wrong = ScramKeys.Derive("pencils", keys.Salt, 4096);
        Assert.NotEqual(wrong.StoredKey, SHA256.HashData(clientKey));
    }

    [Fact]
    public void Keys_never_exceed_the_count_Cyrus_SASL_accepts_and_get_a_fresh_salt_each_time()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramKeys.Derive("secret", ScramKeys.MaxIterations + 1));
        Assert.Equal(65_536, ScramKeys.MaxIterations);
        Assert.Equal(4096, ScramKeys.DefaultIterations);

        var a = ScramKeys.Derive("secret");
        var b = ScramKeys.Derive("secret");
        Assert.Equal(16, a.Salt.Length);
        Assert.NotEqual(a.Salt, b.Salt);
        Assert.NotEqual(a, b);
        Assert.Equal(a, ScramKeys.Derive("secret", a.Salt, a.Iterations));
    }
}
