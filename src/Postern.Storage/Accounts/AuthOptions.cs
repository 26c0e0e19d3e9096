namespace Postern.Storage.Accounts;

/// <summary>
/// Password-guessing defences (configuration section Auth). The defaults follow Dovecot's
/// authentication penalty (doc.dovecot.org, "Authentication Penalty"; src/auth/auth-penalty.h):
/// the first failure is answered after 2 s, each further failure from the same client address
/// doubles the wait, up to 15 s, and the memory of failures fades after an hour.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Wait before a failure reply, and the first step of the penalty (Dovecot auth_failure_delay, 2 s).</summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest penalty wait per attempt (Dovecot AUTH_PENALTY_MAX_SECS, 15 s).</summary>
    public TimeSpan MaxPenalty { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long failures are remembered after the last one (Dovecot AUTH_PENALTY_TIMEOUT, 1 hour).</summary>
    public TimeSpan PenaltyWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Failures against one account, from all addresses together, before attempts for it from
    /// addresses that never logged in to it successfully are penalised too (password spraying
    /// from many addresses). Addresses that did log in to it keep their own penalty only, so an
    /// attacker cannot lock the real user out; nothing here is ever a hard lockout.
    /// </summary>
    public int AccountFailureThreshold { get; set; } = 10;

    /// <summary>Password hashes computed at once; 0 means one per processor core.</summary>
    public int MaxConcurrentHashes { get; set; }

    /// <summary>Client addresses and accounts whose penalty state is kept (oldest forgotten first).</summary>
    public int MaxTrackedEntries { get; set; } = 100_000;

    /// <summary>
    /// PBKDF2 iterations of the SCRAM-SHA-256 keys written when a password is set or first used
    /// (4096 to 65,536; <see cref="ScramKeys"/>). The client does this work at every SCRAM login,
    /// and Cyrus SASL clients refuse more than 65,536. Keys already stored keep their count until
    /// the user's next LOGIN/PLAIN login or password change.
    /// </summary>
    public int ScramIterations { get; set; } = ScramKeys.DefaultIterations;
}
