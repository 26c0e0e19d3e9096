using System.Security.Cryptography;
using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>
/// What the server keeps to check SCRAM-SHA-256 logins (RFC 5802 section 3, RFC 7677): the salt,
/// the iteration count, StoredKey = H(ClientKey) and ServerKey. Never the salted password: with
/// these two keys the server checks a client's proof and proves itself, but whoever reads them
/// cannot log in as the user without first guessing the password.
/// </summary>
/// <remarks>
/// Kept beside the PBKDF2 password hash rather than computed from it, because SCRAM tells the
/// client the iteration count and the client does the work: Cyrus SASL (mbsync, mutt, and every
/// program built on libsasl2 with libsasl2-modules installed) refuses counts above 65,536
/// (MAX_ITERATION_COUNTER in its plugins/scram.c), while the password hash uses 100,000.
/// </remarks>
public sealed record ScramKeys(int Iterations, byte[] Salt, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>RFC 7677 section 4: at least 4096; also Cyrus SASL's and Dovecot's default.</summary>
    public const int MinIterations = 4096;

    /// <summary>The most Cyrus SASL clients accept (0x10000); more and they stop with "iteration-count is too big".</summary>
    public const int MaxIterations = 65_536;

    /// <summary>The count new keys get unless Auth:ScramIterations says otherwise.</summary>
    public const int DefaultIterations = MinIterations;

    private const int SaltLength = 16;

    /// <summary>Derives the keys for <paramref name="password"/> with a fresh random salt.</summary>
    public static ScramKeys Derive(string password, int iterations = DefaultIterations) =>
        Derive(password, RandomNumberGenerator.GetBytes(SaltLength), iterations);

    /// <summary>Derives the keys for <paramref name="password"/> with the given salt (RFC 5802 section 3).</summary>
    public static ScramKeys Derive(string password, byte[] salt, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);

        // SaltedPassword := Hi(password, salt, i), and Hi is PBKDF2-HMAC-SHA-256 with a 32-byte output.
        byte[] salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        try
        {
            byte[] clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
            return new ScramKeys(iterations, salt, SHA256.HashData(clientKey), HMACSHA256.HashData(salted, "Server Key"u8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salted);
        }
    }

    /// <summary>Value equality over the bytes (a record would compare the array references). Not for checking proofs.</summary>
    public bool Equals(ScramKeys? other) =>
        other is not null && Iterations == other.Iterations &&
        Salt.AsSpan().SequenceEqual(other.Salt) && StoredKey.AsSpan().SequenceEqual(other.StoredKey) && ServerKey.AsSpan().SequenceEqual(other.ServerKey);

    public override int GetHashCode() => HashCode.Combine(Iterations, Convert.ToHexString(StoredKey));
}
