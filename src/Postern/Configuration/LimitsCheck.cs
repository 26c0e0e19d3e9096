using Postern.Cli;

namespace Postern.Configuration;

/// <summary>
/// Rejects limits the binder accepts but that would switch a defence off or stop the server
/// working (a zero timeout, a negative count), with a sentence naming the key.
/// </summary>
public static class LimitsCheck
{
    public static void Validate(PosternOptions o)
    {
        Positive(o.Limits.MaxConnections, "Limits:MaxConnections");
        Positive(o.Smtp.MinDataRate, "Smtp:MinDataRate");
        Positive(o.Smtp.MaxRecipients, "Smtp:MaxRecipients");
        Positive(o.Smtp.MaxSubmissionRecipients, "Smtp:MaxSubmissionRecipients");
        Positive(o.Smtp.MaxJunkCommands, "Smtp:MaxJunkCommands");
        Positive(o.Smtp.MaxTransactions, "Smtp:MaxTransactions");
        Positive(o.Imap.MaxJunkCommands, "Imap:MaxJunkCommands");
        Duration(o.Imap.JunkCommandWindow, "Imap:JunkCommandWindow");
        Positive(o.Limits.MaxConnectionsPerAddress, "Limits:MaxConnectionsPerAddress");
        Positive(o.Limits.MaxUnauthenticatedConnectionsPerAddress, "Limits:MaxUnauthenticatedConnectionsPerAddress");
        Positive(o.Limits.MaxConnectionsPerAccountAndAddress, "Limits:MaxConnectionsPerAccountAndAddress");
        if (o.Limits.MaxNewConnectionsPerAddressPerMinute < 0)
        {
            throw new UserError($"Limits:MaxNewConnectionsPerAddressPerMinute is {o.Limits.MaxNewConnectionsPerAddressPerMinute}; use a positive number, or 0 to turn the limit off.");
        }

        Duration(o.Limits.PreLoginTimeout, "Limits:PreLoginTimeout");
        NotNegative(o.Limits.TransferGracePeriod, "Limits:TransferGracePeriod");
        Duration(o.Limits.TransferStallTimeout, "Limits:TransferStallTimeout");
        Positive(o.Limits.MinLineRate, "Limits:MinLineRate");
        Positive(o.Imap.MinLiteralRate, "Imap:MinLiteralRate");
        Duration(o.Limits.TlsHandshakeTimeout, "Limits:TlsHandshakeTimeout");
        Duration(o.Limits.WriteTimeout, "Limits:WriteTimeout");
        Duration(o.Limits.AcceptBackoff, "Limits:AcceptBackoff");
        Duration(o.Smtp.CommandTimeout, "Smtp:CommandTimeout");
        Duration(o.Smtp.PreAuthTimeout, "Smtp:PreAuthTimeout");
        Duration(o.Imap.PreAuthTimeout, "Imap:PreAuthTimeout");
        Duration(o.Imap.AuthenticatedTimeout, "Imap:AuthenticatedTimeout");
        Duration(o.Pop3.PreAuthTimeout, "Pop3:PreAuthTimeout");
        Duration(o.Pop3.TransactionTimeout, "Pop3:TransactionTimeout");
        NotNegative(o.Auth.FailureDelay, "Auth:FailureDelay");
        NotNegative(o.Auth.MaxPenalty, "Auth:MaxPenalty");
        Duration(o.Auth.PenaltyWindow, "Auth:PenaltyWindow");
        Positive(o.Auth.AccountFailureThreshold, "Auth:AccountFailureThreshold");
        Positive(o.Auth.MaxTrackedEntries, "Auth:MaxTrackedEntries");
        if (o.Auth.MaxConcurrentHashes < 0)
        {
            throw new UserError($"Auth:MaxConcurrentHashes is {o.Auth.MaxConcurrentHashes}; use a positive number, or 0 for one per processor core.");
        }

        if (o.Auth.ScramIterations is < Storage.Accounts.ScramKeys.MinIterations or > Storage.Accounts.ScramKeys.MaxIterations)
        {
            throw new UserError($"Auth:ScramIterations is {o.Auth.ScramIterations}; use 4096 to 65536 (RFC 7677 asks for at least 4096, and Cyrus SASL clients such as mbsync refuse more than 65536).");
        }
    }

    private static void Positive(int value, string key)
    {
        if (value < 1)
        {
            throw new UserError($"{key} is {value}; it must be a positive whole number.");
        }
    }

    private static void Duration(TimeSpan value, string key)
    {
        // Under a day: CancelAfter takes at most int.MaxValue ms, and a longer wait defends nothing.
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new UserError($"{key} is {value}; give a duration above zero and at most a day, as hh:mm:ss (e.g. 00:05:00).");
        }
    }

    private static void NotNegative(TimeSpan value, string key)
    {
        if (value < TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new UserError($"{key} is {value}; give a duration from zero to a day, as hh:mm:ss (e.g. 00:00:02).");
        }
    }
}
