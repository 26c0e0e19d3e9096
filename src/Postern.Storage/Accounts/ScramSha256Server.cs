using System.Security.Cryptography;
using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>
/// The server side of SASL SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), one
/// instance per authentication exchange. Works from the stored PBKDF2-SHA256 hash: with a 32-byte
/// output, PBKDF2-HMAC-SHA256 is exactly SCRAM's Hi(), so the stored hash is SaltedPassword.
/// </summary>
/// <remarks>
/// Channel binding for -PLUS: RFC 9266 tls-exporter when the connection can export keying
/// material (Postern.Net.TlsExporter), and RFC 5929 tls-server-end-point, which is defined for
/// TLS 1.2 and 1.3 alike and is what clients without an exporter (MailKit) use. Unknown users get a salt derived from
/// the name with a per-process secret, so the exchange looks the same and fails only at the proof.
/// </remarks>
public sealed class ScramSha256Server
{
    public const string Mechanism = "SCRAM-SHA-256";
    public const string PlusMechanism = "SCRAM-SHA-256-PLUS";
    public const string ServerEndPointBinding = "tls-server-end-point";
    public const string ExporterBinding = "tls-exporter";

    private const int MaxMessageLength = 4096;
    private static readonly byte[] DecoySecret = RandomNumberGenerator.GetBytes(32);

    private readonly IMailStore _store;
    private readonly bool _plus;
    private readonly byte[]? _serverEndPoint;
    private readonly byte[]? _exporter;
    private byte[]? _channelBinding;
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private byte[] _saltedPassword = [];
    private Account? _account;

    /// <param name="plus">True for SCRAM-SHA-256-PLUS: the client must bind to <paramref name="serverEndPoint"/>.</param>
    /// <param name="serverEndPoint">The tls-server-end-point binding of this connection, or null without TLS.</param>
    /// <param name="exporter">The tls-exporter binding of this connection, or null when unavailable.</param>
    public ScramSha256Server(IMailStore store, bool plus, byte[]? serverEndPoint, byte[]? exporter = null)
    {
        _store = store;
        _plus = plus;
        _serverEndPoint = serverEndPoint;
        _exporter = exporter;
    }

    /// <summary>The user name the client gave (valid after <see cref="StartAsync"/>).</summary>
    public string UserName { get; private set; } = "";

    /// <summary>Handles client-first-message; returns server-first-message, or null when the message is malformed or the binding is wrong.</summary>
    public async Task<string?> StartAsync(string clientFirst, CancellationToken ct)
    {
        if (clientFirst.Length is 0 or > MaxMessageLength)
        {
            return null;
        }

        // gs2-header: cbind-flag "," [authzid] ","
        int first = clientFirst.IndexOf(',');
        int second = first < 0 ? -1 : clientFirst.IndexOf(',', first + 1);
        if (second < 0)
        {
            return null;
        }

        string flag = clientFirst[..first];
        string authzid = clientFirst[(first + 1)..second];
        _channelBinding = !_plus ? null
            : flag == "p=" + ExporterBinding ? _exporter
            : flag == "p=" + ServerEndPointBinding ? _serverEndPoint
            : null;
        bool flagOk = _plus
            ? _channelBinding is not null
            // "y" means the client could bind but thinks we cannot: true for plain SCRAM only if we
            // do not offer -PLUS; we do when TLS is on, so "y" over TLS signals a downgrade (RFC 5802 6).
            : flag == "n" || (flag == "y" && _serverEndPoint is null);
        if (!flagOk || (authzid.Length > 0 && !authzid.StartsWith("a=", StringComparison.Ordinal)))
        {
            return null;
        }

        _gs2Header = clientFirst[..(second + 1)];
        _clientFirstBare = clientFirst[(second + 1)..];
        var attrs = ParseAttributes(_clientFirstBare);
        if (attrs is null || _clientFirstBare.StartsWith("m=", StringComparison.Ordinal) ||
            !attrs.TryGetValue('n', out var name) || !attrs.TryGetValue('r', out var clientNonce) || clientNonce.Length is < 8 or > 256)
        {
            return null;
        }

        UserName = DecodeName(name);
        if (UserName.Length is 0 or > 320 || (authzid.Length > 2 && !string.Equals(DecodeName(authzid[2..]), UserName, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        _account = await _store.FindAccountAsync(UserName, ct).ConfigureAwait(false);
        byte[] salt;
        int iterations;
        if (_account is not null && TryReadHash(_account.PasswordHash, out salt, out iterations, out var salted))
        {
            _saltedPassword = salted;
        }
        else
        {
            _account = null;
            salt = HMACSHA256.HashData(DecoySecret, Encoding.UTF8.GetBytes(UserName.ToLowerInvariant()))[..16];
            iterations = PasswordHasher.DefaultIterations;
            _saltedPassword = RandomNumberGenerator.GetBytes(32);
        }

        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}";
        return _serverFirst;
    }

    /// <summary>
    /// Handles client-final-message. Returns the account and server-final-message ("v=...") when the
    /// proof is right; null otherwise (the caller answers with its usual failure and delay).
    /// </summary>
    public (Account Account, string ServerFinal)? Finish(string clientFinal)
    {
        if (_serverFirst.Length == 0 || clientFinal.Length is 0 or > MaxMessageLength)
        {
            return null;
        }

        int proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return null;
        }

        string withoutProof = clientFinal[..proofAt];
        var attrs = ParseAttributes(withoutProof);
        if (attrs is null || !attrs.TryGetValue('c', out var cbind) || !attrs.TryGetValue('r', out var nonce) || nonce != _nonce)
        {
            return null;
        }

        byte[] expectedCbind = _plus
            ? [.. Encoding.ASCII.GetBytes(_gs2Header), .. _channelBinding!]
            : Encoding.ASCII.GetBytes(_gs2Header);
        byte[] proof;
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(cbind), expectedCbind))
            {
                return null;
            }

            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return null;
        }

        string authMessage = $"{_clientFirstBare},{_serverFirst},{withoutProof}";
        byte[] clientKey = HMACSHA256.HashData(_saltedPassword, "Client Key"u8);
        byte[] storedKey = SHA256.HashData(clientKey);
        byte[] clientSignature = HMACSHA256.HashData(storedKey, Encoding.UTF8.GetBytes(authMessage));
        if (proof.Length != clientSignature.Length)
        {
            return null;
        }

        byte[] recovered = new byte[proof.Length];
        for (int i = 0; i < proof.Length; i++)
        {
            recovered[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(recovered), storedKey) || _account is null)
        {
            return null;
        }

        byte[] serverKey = HMACSHA256.HashData(_saltedPassword, "Server Key"u8);
        byte[] serverSignature = HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes(authMessage));
        return (_account, "v=" + Convert.ToBase64String(serverSignature));
    }

    /// <summary>RFC 5929 tls-server-end-point: the hash of our certificate, with SHA-256 unless it is signed with SHA-384/512.</summary>
    public static byte[] ServerEndPoint(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        string oid = certificate.SignatureAlgorithm.Value ?? "";
        return oid switch
        {
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => SHA384.HashData(certificate.RawData),
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => SHA512.HashData(certificate.RawData),
            _ => SHA256.HashData(certificate.RawData),
        };
    }

    private static bool TryReadHash(string stored, out byte[] salt, out int iterations, out byte[] salted)
    {
        salt = salted = [];
        iterations = 0;
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(parts[2]);
            salted = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        return salted.Length == 32;
    }

    /// <summary>SCRAM escapes "," as "=2C" and "=" as "=3D" in names (RFC 5802 5.1).</summary>
    private static string DecodeName(string s) => s.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);

    private static Dictionary<char, string>? ParseAttributes(string message)
    {
        var result = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]) || !result.TryAdd(part[0], part[2..]))
            {
                return null;
            }
        }

        return result;
    }
}
