using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Storage;
using Postern.Storage.Accounts;

namespace Postern.Imap;

/// <summary>
/// The IMAP4rev1 server (RFC 3501) for one connection: greeting, then read a command, check it is
/// allowed in the current state, run it, until LOGOUT, an idle timeout, too many errors or EOF.
/// </summary>
public sealed class ImapHandler : IConnectionHandler
{
    private readonly IMailStore _store;
    private readonly Authenticator _auth;
    private readonly ServerIdentity _identity;
    private readonly ImapOptions _options;
    private readonly ILogger<ImapHandler> _log;

    public ImapHandler(IMailStore store, Authenticator auth, ServerIdentity identity, ImapOptions options, ILogger<ImapHandler> log)
    {
        _store = store;
        _auth = auth;
        _identity = identity;
        _options = options;
        _log = log;
    }

    public async Task RunAsync(MailConnection connection, CancellationToken ct)
    {
        var session = new ImapSession(connection, _store, _auth, _identity, _options, _log);
        connection.ReadTimeout = _options.PreAuthTimeout;
        Log.SessionStarted(_log, connection.TlsDescription);
        try
        {
            // Never PREAUTH: every session logs in, over TLS (RFC 3501 7.1.4 is optional).
            session.Untagged($"OK [CAPABILITY {session.Capabilities}] {_identity.Hostname} Postern ready");
            await LoopAsync(session, ct).ConfigureAwait(false);
            await connection.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IdleTimeoutException)
        {
            Log.IdleTimeout(_log);
            await TryByeAsync(connection, "Autologout; idle for too long", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or AuthenticationException or ObjectDisposedException)
        {
            Log.ConnectionError(_log, e);
        }
        finally
        {
            session.Close();
            Log.SessionEnded(_log);
        }
    }

    /// <summary>
    /// A connection limit refused this client: BYE in place of the greeting (RFC 9051 7.1.5 allows a
    /// BYE greeting), with UNAVAILABLE (RFC 5530: temporary, so programs retry rather than report
    /// a wrong password or a broken server).
    /// </summary>
    public async Task RefuseAsync(MailConnection connection, string reason, CancellationToken ct)
    {
        connection.WriteLine($"* BYE [UNAVAILABLE] {reason}");
        await connection.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task LoopAsync(ImapSession session, CancellationToken ct)
    {
        var connection = session.Connection;
        var reader = new CommandReader(connection, _options);
        var junk = new JunkCommands(_options.MaxJunkCommands, _options.JunkCommandWindow);
        int bad = 0;
        while (session.State != ImapState.Logout)
        {
            var frame = await reader.ReadAsync(ct).ConfigureAwait(false);
            string? error = null;
            string? tag = frame.Tag;
            ImapCommand? command = null;
            switch (frame.Status)
            {
                case FrameStatus.Closed:
                    return;
                case FrameStatus.FatalTooLarge:
                    Log.LiteralTooLarge(_log);
                    session.Untagged("BYE Literal too large");
                    return;
                case FrameStatus.LineTooLong:
                    error = "Line too long";
                    break;
                case FrameStatus.TooLarge:
                    error = frame.Error ?? "Literal or command too large";
                    break;
                case FrameStatus.AppendLiteral when session.State == ImapState.NotAuthenticated && frame.NonSync && frame.LiteralSize > _options.MaxLiteralSize:
                    // Before login nobody may make us read (and throw away) a large message.
                    Log.LiteralTooLarge(_log);
                    session.Untagged("BYE Literal too large");
                    return;
                case FrameStatus.AppendLiteral:
                    var prefix = ImapParser.Parse(frame.Bytes.Span, _options.MaxLiteralSize, _options.MaxNestingDepth);
                    command = prefix.Command;
                    session.Literal = new PendingLiteral(frame.LiteralSize, frame.NonSync) { Binary = frame.Binary, Utf8 = frame.Utf8 };
                    break;
                default:
                    var outcome = ImapParser.Parse(frame.Bytes.Span, _options.MaxLiteralSize, _options.MaxNestingDepth);
                    tag = outcome.Tag ?? tag;
                    if (outcome.Status == ParseStatus.Complete)
                    {
                        command = outcome.Command;
                    }
                    else
                    {
                        error = outcome.Error ?? "Incomplete command";
                        tag = outcome.Tag;
                    }

                    break;
            }

            if (command is not null)
            {
                bool isJunk = JunkCommands.IsJunk(command.Name);
                if (isJunk && !junk.Allow())
                {
                    Log.TooManyJunkCommands(_log, _options.MaxJunkCommands);
                    session.Untagged("BYE Too many NOOP, CHECK or CAPABILITY commands without progress");
                    return;
                }

                error = await DispatchAsync(session, command, ct).ConfigureAwait(false);
                if (!isJunk && error is null)
                {
                    junk.Progress();
                }

                if (session.Literal is { } pending)
                {
                    session.Literal = null;
                    if (!pending.Consumed && pending.NonSync && !await DrainAsync(session, pending.Size, ct).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
            else if (error is not null)
            {
                // A command we could not even read: tagged BAD when the tag is readable (RFC 3501 7.1.3).
                connection.WriteLine((tag ?? "*") + " BAD " + error);
            }

            if (error is not null && ++bad >= _options.MaxBadCommands)
            {
                Log.TooManyBadCommands(_log, bad);
                session.Untagged("BYE Too many invalid commands");
                return;
            }
        }
    }

    /// <summary>Runs one command; returns the BAD text when it was a BAD (to count errors), else null.</summary>
    private async Task<string?> DispatchAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        var connection = session.Connection;
        var entry = CommandTable.Find(command.Name);
        if (entry is null)
        {
            connection.WriteLine(command.Tag + " BAD Unknown command");
            return "Unknown command";
        }

        if ((entry.Allowed & session.State) == 0)
        {
            string text = session.State switch
            {
                ImapState.NotAuthenticated => "Command not allowed before login",
                ImapState.Authenticated => entry.Allowed == ImapState.NotAuthenticated ? "Command not allowed after login" : "No mailbox selected",
                _ => "Command not allowed after login",
            };
            connection.WriteLine(command.Tag + " BAD " + text);
            return text;
        }

        try
        {
            await entry.Command.ExecuteAsync(session, command, ct).ConfigureAwait(false);
            return null;
        }
        catch (ImapException e)
        {
            connection.WriteLine(command.Tag + " " + e.Status + " " + e.Message);
            return e.Status == "BAD" ? e.Message : null;
        }
        catch (MailboxException e)
        {
            // E.g. the selected mailbox was deleted by another session meanwhile.
            var no = Commands.MailboxErrors.ToImap(e);
            connection.WriteLine(command.Tag + " NO " + no.Message);
            return null;
        }
        catch (StoreLimitException e)
        {
            // A limit only the store can see (e.g. keywords in use in a mailbox, COPY into it): the
            // client's request, not our fault, so NO [LIMIT] and nothing logged as an error.
            connection.WriteLine(command.Tag + " NO " + Commands.MailboxErrors.ToImap(e).Message);
            return null;
        }
        catch (Exception e) when (e is not (IOException or OperationCanceledException or AuthenticationException or ObjectDisposedException))
        {
            // A fault of ours or of the store: the client gets a NO, the session carries on.
            Log.CommandFailed(_log, command.Name, e);
            connection.WriteLine(command.Tag + " NO [SERVERBUG] Internal error");
            return null;
        }
    }

    /// <summary>
    /// Skips a refused APPEND's {n+} literal and the rest of its line: the client sent them without
    /// waiting, so they must not be read as commands. False if the connection ended or the line was too long.
    /// </summary>
    private Task<bool> DrainAsync(ImapSession session, long size, CancellationToken ct) =>
        // The rest of the line may announce further {n+} messages (MULTIAPPEND, RFC 3502): skip those
        // too, but before login none larger than an ordinary literal.
        LiteralDrain.DrainCommandAsync(session.Connection, size, _options.MaxLineLength,
            session.State == ImapState.NotAuthenticated ? _options.MaxLiteralSize : _options.MaxAppendSize, _options.MinLiteralRate, ct);

    private static async Task TryByeAsync(MailConnection connection, string text, CancellationToken ct)
    {
        try
        {
            connection.WriteLine("* BYE " + text);
            await connection.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or not reading; nothing more to tell it.
        }
    }
}
