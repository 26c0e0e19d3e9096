namespace Postern.Storage.Accounts;

/// <summary>Why a SCRAM exchange failed; for the server log, never for the client.</summary>
public enum ScramFailure
{
    None,

    /// <summary>A message did not parse, or broke a rule of RFC 5802 (a wrong flag, nonce or binding type).</summary>
    Malformed,

    /// <summary>The channel binding data is not this connection's (-PLUS), or the gs2 header changed.</summary>
    ChannelBinding,

    /// <summary>No account has that name.</summary>
    UnknownUser,

    /// <summary>The account has no SCRAM keys yet: its password was set before Postern kept them.</summary>
    NoKeys,

    /// <summary>The proof does not match: a wrong password.</summary>
    WrongProof,
}
