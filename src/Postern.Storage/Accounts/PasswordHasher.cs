using System.Security.Cryptography;
using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>
/// PBKDF2-SHA256 password hashes, stored as "pbkdf2-sha256$iterations$salt$hash" (base64), for
/// the mechanisms that send the password itself (LOGIN, PLAIN, USER/PASS). SCRAM-SHA-256 does
/// not use this hash: its client must repeat the iterations, and 100,000 is more than Cyrus SASL
/// clients accept, so SCRAM has keys of its own at a lower count (<see cref="ScramKeys"/>).
/// </summary>
public static class PasswordHasher
{
    public const int DefaultIterations = 100_000;
    private const string Scheme = "pbkdf2-sha256";

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        Span<byte> salt = stackalloc byte[16];
        RandomNumberGenerator.Fill(salt);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Checks a password in constant time with respect to the hash; false for malformed hashes.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out int iterations) || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        byte[] actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A well-formed hash of a random password: verified against when the user does not exist, so timing does not tell.</summary>
    public static readonly string Decoy = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)));
}
