using System.Text;
using Microsoft.Extensions.Logging;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Smtp.Session;

/// <summary>
/// One SMTP session: greeting, command loop and state. The commands live in partial files under
/// Commands/. State is: EHLO/HELO name (null until given), the authenticated account, and the
/// current transaction. STARTTLS clears all of it (RFC 3207 4.2).
/// </summary>
internal sealed partial class SmtpSession
{
    /// <summary>RFC 5321 4.5.3.1.4: a command line is at most 512 octets, we allow 1000 including CRLF like the text-line limit.</summary>
    private const int CommandLineLimit = 1000;

    /// <summary>RFC 4954 4: the AUTH command line and SASL responses may be up to 12288 octets.</summary>
    private const int AuthLineLimit = 12 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MailConnection _connection;
    private readonly IMailStore _store;
    private readonly Authenticator _auth;
    private readonly string _hostname;
    private readonly SmtpOptions _options;
    private readonly ILogger _log;
    private readonly CancellationToken _ct;
    private readonly string _remote;

    private string? _helo;
    private bool _esmtp;
    private Account? _account;
    private Transaction? _transaction;
    private int _errors;
    private bool _close;

    /// <summary>Commands that moved no mail since the session began or the last delivered message (<see cref="SmtpOptions.MaxJunkCommands"/>).</summary>
    private int _junk;

    /// <summary>Transactions begun (MAIL accepted) in this session (<see cref="SmtpOptions.MaxTransactions"/>).</summary>
    private int _transactions;

    public SmtpSession(MailConnection connection, IMailStore store, Authenticator auth, ServerIdentity identity, SmtpOptions options, ILogger log, CancellationToken ct)
    {
        _connection = connection;
        _store = store;
        _auth = auth;
        _hostname = identity.Hostname;
        _options = options;
        _log = log;
        _ct = ct;
        _remote = connection.Remote?.ToString() ?? "unknown";
    }

    private bool IsSubmission => _connection.Endpoint.Protocol == MailProtocol.Submission;

    public async Task RunAsync()
    {
        _log.SessionStarted(_connection.Endpoint.Name, _remote, _connection.TlsDescription);
        ResetSessionState();
        if (_connection.HasUnreadInput)
        {
            // Talking before the greeting (Postfix's "improper command pipelining after CONNECT").
            await DropUnsynchronisedAsync("CONNECT").ConfigureAwait(false);
            return;
        }

        Send(new Reply(220, null, $"{_hostname} ESMTP Postern"));
        try
        {
            while (!_close)
            {
                // Read up to the AUTH limit; every other command is held to 1000 octets just below.
                var line = await _connection.ReadLineAsync(AuthLineLimit, _ct).ConfigureAwait(false);
                switch (line.Status)
                {
                    case LineStatus.Closed:
                        return;
                    case LineStatus.TooLong:
                        // RFC 5321 4.5.3.1.4 and 4.2.2: 500 "line too long"; the session goes on.
                        Error(Replies.LineTooLong);
                        continue;
                }

                if (line.Bytes.Length + 2 > CommandLineLimit && !IsAuthCommand(line.Bytes.Span))
                {
                    Error(Replies.LineTooLong);
                    continue;
                }

                if (line.BareLineFeed)
                {
                    // Commands must end with CRLF (RFC 5321 2.3.8); we do not guess what a bare LF meant.
                    Error(Replies.BareLineFeedCommand);
                    continue;
                }

                string text;
                try
                {
                    text = StrictUtf8.GetString(line.Bytes.Span);
                }
                catch (DecoderFallbackException)
                {
                    Error(Replies.InvalidUtf8);
                    continue;
                }

                await DispatchAsync(text).ConfigureAwait(false);
                if (_mustEndGroup is { } verb && _connection.HasBufferedInput && !_close)
                {
                    await DropUnsynchronisedAsync(verb).ConfigureAwait(false);
                    return;
                }
            }

            await _connection.FlushAsync(_ct).ConfigureAwait(false);
        }
        catch (IdleTimeoutException e)
        {
            _log.Closing(_remote, e.Limit is null ? "idle timeout" : e.Limit + " reached");
            await SendFinalAsync(new Reply(421, "4.4.2", $"{_hostname} Timeout")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ct.IsCancellationRequested)
        {
            _log.Closing(_remote, "server shutting down");
            await SendFinalAsync(new Reply(421, "4.3.2", $"{_hostname} Service shutting down")).ConfigureAwait(false);
        }
    }

    private Task DispatchAsync(string text)
    {
        int space = text.IndexOf(' ');
        string verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
        _mustEndGroup = verb is "EHLO" or "HELO" ? verb : null;
        string args = space < 0 ? "" : text[(space + 1)..];
        bool hasArgs = space >= 0 && args.Trim(' ').Length > 0;
        switch (verb)
        {
            case "EHLO":
                Hello(args, esmtp: true);
                Junk();
                return Task.CompletedTask;
            case "HELO":
                Hello(args, esmtp: false);
                Junk();
                return Task.CompletedTask;
            case "STARTTLS":
                return StartTlsAsync(hasArgs);
            case "AUTH":
                return AuthAsync(args);
            case "MAIL":
                Mail(args);
                return Task.CompletedTask;
            case "RCPT":
                return RcptAsync(args);
            case "DATA":
                return DataAsync(hasArgs);
            case "RSET":
                Rset(hasArgs);
                Junk();
                return Task.CompletedTask;
            case "NOOP":
                // RFC 5321 4.1.1.9: a parameter is allowed and ignored.
                Send(Replies.Ok);
                Junk();
                return Task.CompletedTask;
            case "QUIT":
                Quit();
                return Task.CompletedTask;
            case "VRFY":
                Vrfy(hasArgs);
                Junk();
                return Task.CompletedTask;
            case "EXPN":
                Error(Replies.ExpnDisabled);
                return Task.CompletedTask;
            case "HELP":
                Help();
                Junk();
                return Task.CompletedTask;
            default:
                Error(Replies.UnknownCommand);
                return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Policy for clients that do not wait for replies they must wait for, as Postfix smtpd does by
    /// default since 3.9 (smtpd_forbid_unauth_pipelining = yes): input before the greeting, or
    /// behind EHLO/HELO (RFC 2920 3.1: EHLO and HELO may only be the last command of a pipelined
    /// group, and RFC 5321 4.3.1: the client waits for the 220 greeting), means a spambot or a
    /// smuggling attempt, not a mail client. We answer 554 5.5.0 and hang up without running any
    /// of the pipelined commands. STARTTLS keeps its own rule (the input is discarded, RFC 3207 5).
    /// </summary>
    private async Task DropUnsynchronisedAsync(string after)
    {
        _log.Closing(_remote, "improper command pipelining after " + after);
        _close = true;
        await SendFinalAsync(Replies.ProtocolSynchronization).ConfigureAwait(false);
    }

    /// <summary>The verb just run when it must be the last of a pipelined group (EHLO/HELO), else null.</summary>
    private string? _mustEndGroup;

    private static bool IsAuthCommand(ReadOnlySpan<byte> line) =>
        line.Length > 5 && Ascii.EqualsIgnoreCase(line[..5], "AUTH "u8);

    /// <summary>Forgets everything the client said: used at start and after STARTTLS (RFC 3207 4.2).</summary>
    private void ResetSessionState()
    {
        _helo = null;
        _esmtp = false;
        _account = null;
        _transaction = null;
        _connection.ReadTimeout = _options.PreAuthTimeout;
    }

    private void Send(Reply reply) => _connection.WriteLine(reply.ToString());

    /// <summary>Sends an error reply and counts it; past <see cref="SmtpOptions.MaxErrors"/> the session ends with 421.</summary>
    private void Error(Reply reply)
    {
        Send(reply);
        CountError();
    }

    private void CountError()
    {
        _errors++;
        if (_errors >= _options.MaxErrors && !_close)
        {
            _log.Closing(_remote, "too many errors");
            Send(Replies.TooManyErrors);
            _close = true;
        }
    }

    /// <summary>
    /// Counts a command that moved no mail, after its reply. Past <see cref="SmtpOptions.MaxJunkCommands"/>
    /// each one also counts as an error, as Postfix's smtpd_junk_command_limit does, so a client that
    /// only loops on NOOP or RSET is closed with 421 after MaxErrors more; one that delivers mail
    /// starts from zero again (<see cref="Delivered"/>).
    /// </summary>
    private void Junk()
    {
        if (++_junk > _options.MaxJunkCommands)
        {
            if (_junk == _options.MaxJunkCommands + 1)
            {
                _log.JunkLimitReached(_remote, _options.MaxJunkCommands);
            }

            CountError();
        }
    }

    /// <summary>A message was stored: as in Postfix, the junk count starts again.</summary>
    private void Delivered() => _junk = 0;

    /// <summary>Best effort last words before closing; the peer may already be gone.</summary>
    private async Task SendFinalAsync(Reply reply)
    {
        try
        {
            Send(reply);
            _connection.WriteTimeout = TimeSpan.FromSeconds(10);
            await _connection.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            _log.FinalReplyFailed(_remote, e.GetType().Name);
        }
    }
}
