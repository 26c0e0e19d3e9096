using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Pop3.Parsing;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Pop3.Session;

/// <summary>
/// One POP3 session: the greeting, the command loop, the state (RFC 1939 section 3), the error
/// count and the maildrop lock. Commands live in Commands/, one file per command or group.
/// </summary>
internal sealed class Pop3Session
{
    private readonly ServerIdentity _identity;
    private readonly Authenticator _auth;
    private IDisposable? _maildropLock;
    private int _errors;

    public Pop3Session(MailConnection connection, IMailStore store, Authenticator auth, ServerIdentity identity, Pop3Options options, ILogger log)
    {
        Connection = connection;
        Store = store;
        _auth = auth;
        _identity = identity;
        Options = options;
        Log = log;
        Remote = connection.Remote?.ToString() ?? "unknown";
    }

    public MailConnection Connection { get; }

    public IMailStore Store { get; }

    public Pop3Options Options { get; }

    public ILogger Log { get; }

    /// <summary>The peer's address for logs.</summary>
    public string Remote { get; }

    public string Hostname => _identity.Hostname;

    public Pop3State State { get; private set; } = Pop3State.Authorization;

    /// <summary>The name given by a USER command that PASS must follow immediately (RFC 1939 section 7).</summary>
    public string? PendingUser { get; set; }

    /// <summary>The logged-in account (TRANSACTION and UPDATE only).</summary>
    public Account? Account { get; private set; }

    /// <summary>The session's view of the maildrop (TRANSACTION and UPDATE only).</summary>
    public Maildrop? Maildrop { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        Connection.ReadTimeout = Options.PreAuthTimeout;
        Log.SessionStarted(Remote, Connection.TlsDescription);
        try
        {
            // RFC 1939 section 4. No APOP timestamp: APOP needs the plaintext password on the server.
            Connection.WriteLine($"+OK {Hostname} POP3 Postern ready");
            while (true)
            {
                var line = await Connection.ReadLineAsync(Options.MaxLineLength, ct).ConfigureAwait(false);
                CommandResult result;
                switch (line.Status)
                {
                    case LineStatus.Closed:
                        // A drop without QUIT never enters UPDATE: DELE marks are simply forgotten (section 6).
                        Log.ClientClosed(Remote);
                        return;
                    case LineStatus.TooLong:
                        PendingUser = null;
                        result = CommandResult.Error(Replies.LineTooLong);
                        break;
                    default:
                        result = await DispatchAsync(line.Bytes, ct).ConfigureAwait(false);
                        break;
                }

                if (!await CompleteAsync(result, ct).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (IdleTimeoutException)
        {
            // RFC 1939 section 3: an inactivity timer may close the session without a response,
            // and without entering UPDATE.
            Log.IdleTimeout(Remote);
        }
        finally
        {
            _maildropLock?.Dispose();
            _maildropLock = null;
            Log.SessionEnded(Remote);
        }
    }

    private async ValueTask<CommandResult> DispatchAsync(ReadOnlyMemory<byte> line, CancellationToken ct)
    {
        var parse = CommandParser.TryParse(line.Span, out var command);
        if (parse != CommandParseError.None || command is null)
        {
            PendingUser = null;
            return CommandResult.Error(parse is CommandParseError.Empty or CommandParseError.BadKeyword
                ? Replies.UnknownCommand
                : Replies.Syntax);
        }

        // PASS must come right after USER; anything else forgets the name.
        if (command.Keyword != "PASS")
        {
            PendingUser = null;
        }

        if (!CommandTable.TryGet(command.Keyword, out var spec))
        {
            return CommandResult.Error(Replies.UnknownCommand);
        }

        if ((spec.States & State) == 0)
        {
            return CommandResult.Error(Replies.WrongState);
        }

        return await spec.Execute(this, command, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the negative reply, counts errors; false when the session must end.</summary>
    private async ValueTask<bool> CompleteAsync(CommandResult result, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case CommandOutcome.Close:
                await Connection.FlushAsync(ct).ConfigureAwait(false);
                return false;
            case CommandOutcome.Error:
                _errors++;
                if (_errors >= Options.MaxErrors)
                {
                    Connection.WriteLine("-ERR " + Replies.TooManyErrors);
                    await Connection.FlushAsync(ct).ConfigureAwait(false);
                    Log.TooManyErrors(Remote, _errors);
                    return false;
                }

                Connection.WriteLine("-ERR " + result.ErrorText);
                break;
        }

        // Pipelined commands are answered without a flush per reply; this zero-byte write flushes
        // once 64 KiB are pending, so a flood of pipelined LISTs cannot grow the output without bound.
        await Connection.WriteAsync(ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The refusal for USER, PASS and AUTH on a plaintext connection (RFC 2595 section 2.1), or null over TLS.</summary>
    public CommandResult? RefuseWithoutTls()
    {
        if (Connection.IsTls)
        {
            return null;
        }

        Connection.ReportMistake(Postern.Net.Diagnostics.ClientMistake.PasswordBeforeTls);
        return CommandResult.Error(Connection.CanStartTls ? Replies.StlsFirst : Replies.TlsRequired);
    }

    /// <summary>
    /// Checks credentials, takes the maildrop lock, takes the snapshot and enters TRANSACTION
    /// (RFC 1939 section 4). Failures leave the session in AUTHORIZATION.
    /// </summary>
    public async Task<CommandResult> LoginAsync(string user, string password, string method, CancellationToken ct)
    {
        var account = await _auth.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        if (account is null)
        {
            // One text for unknown user and wrong password: no account enumeration.
            Log.LoginFailed(Remote, method);
            return CommandResult.Error(Replies.AuthFailed);
        }

        // RFC 1939 section 8 and RFC 2449 section 8.1.1: a second session gets [IN-USE] and may retry.
        var maildropLock = Store.TryLockMaildrop(account.Id);
        if (maildropLock is null)
        {
            Log.MaildropInUse(account.Address, Remote);
            return CommandResult.Error(Replies.InUse);
        }

        // Limits:MaxConnectionsPerAccountAndAddress (logged by the connection). The maildrop lock
        // already allows one session per account, below any limit (at least 1); the login is
        // counted anyway, so it leaves the address's unauthenticated count like any other login.
        if (!Connection.TryLogIn(account.Id))
        {
            maildropLock.Dispose();
            return CommandResult.Error(Replies.TooManyConnections);
        }

        Maildrop maildrop;
        try
        {
            var inbox = await Store.GetMailboxAsync(account.Id, "INBOX", ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The account has no INBOX.");
            var messages = await Store.ListMessagesAsync(inbox.Id, ct).ConfigureAwait(false);
            maildrop = new Maildrop(inbox, messages);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            maildropLock.Dispose();
            Log.MaildropFailed(e, account.Address);
            return CommandResult.Error(Replies.MaildropUnavailable);
        }

        _maildropLock = maildropLock;
        Account = account;
        Maildrop = maildrop;
        State = Pop3State.Transaction;
        Connection.ReadTimeout = Options.TransactionTimeout;
        var (count, size) = maildrop.Totals();
        Log.LoginSucceeded(account.Address, Remote, method, count);
        Connection.WriteLine($"+OK Logged in, maildrop has {count} messages ({size} octets)");
        return CommandResult.Ok;
    }

    /// <summary>QUIT in TRANSACTION: the session is now in UPDATE and ends after the reply.</summary>
    public void EnterUpdate() => State = Pop3State.Update;
}
