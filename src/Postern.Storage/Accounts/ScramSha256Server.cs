using System.Security.Cryptography;
using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>
/// The server side of SASL SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677), one
/// instance per authentication exchange. Works from the account's stored <see cref="ScramKeys"/>
/// (StoredKey and ServerKey), never from the PBKDF2 password hash, whose 100,000 iterations
/// Cyrus SASL clients refuse to compute.
/// </summary>
/// <remarks>
/// Channel binding for -PLUS: RFC 9266 tls-exporter when the connection can export keying
/// material (Postern.Net.TlsExporter), and RFC 5929 tls-server-end-point, which is defined for
/// TLS 1.2 and 1.3 alike and is what clients without an exporter (MailKit) use. Unknown users,
/// and accounts that have no SCRAM keys yet, get a salt derived from the name with a per-process
/// secret and the configured iteration count, so the exchange looks the same as for a real
/// account and fails only at the proof; <see cref="Failure"/> tells the log which case it was.
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
    private readonly int _decoyIterations;
    private ScramKeys? _keys;
    private Account? _account;
    private ScramFailure _missingKeys;

    /// <param name="plus">True for SCRAM-SHA-256-PLUS: the client must bind to <paramref name="serverEndPoint"/>.</param>
    /// <param name="serverEndPoint">The tls-server-end-point binding of this connection, or null without TLS.</param>
    /// <param name="exporter">The tls-exporter binding of this connection, or null when unavailable.</param>
    /// <param name="decoyIterations">The count announced for users without keys: the one new keys get (Auth:ScramIterations).</param>
    public ScramSha256Server(IMailStore store, bool plus, byte[]? serverEndPoint, byte[]? exporter = null, int decoyIterations = ScramKeys.DefaultIterations)
    {
        _store = store;
        _plus = plus;
        _serverEndPoint = serverEndPoint;
        _exporter = exporter;
        _decoyIterations = decoyIterations;
    }

    /// <summary>The user name the client gave (valid after <see cref="StartAsync"/>).</summary>
    public string UserName { get; private set; } = "";

    /// <summary>Why <see cref="StartAsync"/> or <see cref="Finish"/> refused, for the log only: the client always hears the same failure.</summary>
    public ScramFailure Failure { get; private set; }

    /// <summary>The account named by the client, also when it has no SCRAM keys (for the log); null for unknown users.</summary>
    public long? AccountId { get; private set; }

    /// <summary>Handles client-first-message; returns server-first-message, or null when the message is malformed or the binding is wrong.</summary>
    public async Task<string?> StartAsync(string clientFirst, CancellationToken ct)
    {
        Failure = ScramFailure.Malformed;
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
        AccountId = _account?.Id;
        if (_account?.Scram is { } keys)
        {
            _keys = keys;
        }
        else
        {
            // Keys nobody knows, so no proof can match; the same salt for the same name every time.
            _missingKeys = _account is null ? ScramFailure.UnknownUser : ScramFailure.NoKeys;
            _account = null;
            byte[] salt = HMACSHA256.HashData(DecoySecret, Encoding.UTF8.GetBytes(UserName.ToLowerInvariant()))[..16];
            _keys = new ScramKeys(_decoyIterations, salt, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        }

        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_keys.Salt)},i={_keys.Iterations}";
        Failure = ScramFailure.None;
        return _serverFirst;
    }

    /// <summary>
    /// Handles client-final-message. Returns the account and server-final-message ("v=...") when the
    /// proof is right; null otherwise (the caller answers with its usual failure and delay).
    /// </summary>
    public (Account Account, string ServerFinal)? Finish(string clientFinal)
    {
        Failure = ScramFailure.Malformed;
        if (_keys is null || clientFinal.Length is 0 or > MaxMessageLength)
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
                Failure = ScramFailure.ChannelBinding;
                return null;
            }

            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return null;
        }

        // RFC 5802 section 3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage), and the
        // proof is right when H(ClientKey) is StoredKey.
        string authMessage = $"{_clientFirstBare},{_serverFirst},{withoutProof}";
        byte[] clientSignature = HMACSHA256.HashData(_keys.StoredKey, Encoding.UTF8.GetBytes(authMessage));
        Failure = _missingKeys == ScramFailure.None ? ScramFailure.WrongProof : _missingKeys;
        if (proof.Length != clientSignature.Length)
        {
            return null;
        }

        byte[] recovered = new byte[proof.Length];
        for (int i = 0; i < proof.Length; i++)
        {
            recovered[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(recovered), _keys.StoredKey) || _account is null)
        {
            return null;
        }

        Failure = ScramFailure.None;
        byte[] serverSignature = HMACSHA256.HashData(_keys.ServerKey, Encoding.UTF8.GetBytes(authMessage));
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
