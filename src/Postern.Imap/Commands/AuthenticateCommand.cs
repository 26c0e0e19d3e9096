using System.Security.Cryptography.X509Certificates;
using System.Text;
using Postern.Imap.Parsing;
using Postern.Imap.Session;
using Postern.Net;
using Postern.Storage.Accounts;

namespace Postern.Imap.Commands;

/// <summary>
/// AUTHENTICATE (RFC 9051 6.2.2, RFC 4959 SASL-IR) with PLAIN (RFC 4616), SCRAM-SHA-256 and
/// SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802; tls-exporter or tls-server-end-point binding), only over TLS.
/// </summary>
public sealed class AuthenticateCommand : IImapCommand
{
    /// <summary>Longest SASL response line we read: PLAIN and SCRAM messages are short.</summary>
    private const int MaxResponseLine = 8 * 1024;

    public async Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 2);
        string mechanism = Arguments.AString(command.Args[0], "a SASL mechanism").ToUpperInvariant();
        if (!session.Connection.IsTls)
        {
            session.Connection.ReportMistake(Postern.Net.Diagnostics.ClientMistake.PasswordBeforeTls);
            throw ImapException.No(LoginCommand.PrivacyRequired);
        }

        string? initial = null;
        if (command.Args.Count == 2)
        {
            // SASL-IR: "=" stands for an empty initial response (RFC 4959 3).
            initial = Arguments.AString(command.Args[1], "an initial response");
            initial = initial == "=" ? "" : initial;
        }

        switch (mechanism)
        {
            case "PLAIN":
                string response = initial ?? await ReadResponseAsync(session, "", ct).ConfigureAwait(false);
                if (!SaslPlain.TryDecode(response, out string user, out string password))
                {
                    Log.LoginFailed(session.Log, "PLAIN");
                    throw ImapException.Bad("Malformed PLAIN response");
                }

                await LoginCommand.CompleteAsync(session, command.Tag, user, password, "PLAIN", ct).ConfigureAwait(false);
                return;
            case ScramSha256Server.Mechanism:
            case ScramSha256Server.PlusMechanism:
                await ScramAsync(session, command.Tag, mechanism, initial, ct).ConfigureAwait(false);
                return;
            default:
                throw ImapException.No("Unsupported authentication mechanism");
        }
    }

    private static async Task ScramAsync(ImapSession session, string tag, string mechanism, string? initial, CancellationToken ct)
    {
        byte[]? binding = session.Connection.LocalCertificate is { } cert
            ? ScramSha256Server.ServerEndPoint(cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()))
            : null;
        var scram = new ScramSha256Server(session.Store, mechanism == ScramSha256Server.PlusMechanism, binding,
            session.Connection.TlsExporterBinding, session.Auth.Options.ScramIterations);
        string clientFirst = Decode(initial ?? await ReadResponseAsync(session, "", ct).ConfigureAwait(false));
        string? serverFirst = await scram.StartAsync(clientFirst, ct).ConfigureAwait(false);
        if (serverFirst is null)
        {
            LogScramFailure(session, scram, mechanism);
            await FailAsync(session, tag, mechanism, ct).ConfigureAwait(false);
            return;
        }

        // The brute-force penalty applies to SCRAM as to PLAIN and LOGIN (issue 5 point 6), before
        // the client may send its proof: otherwise SCRAM would be the unthrottled way to guess.
        var throttle = session.Auth.Throttle;
        var client = AuthClient.Current;
        var penalty = throttle.PenaltyFor(client, scram.UserName);
        if (penalty > TimeSpan.Zero)
        {
            await Task.Delay(penalty, ct).ConfigureAwait(false);
        }

        string clientFinal = Decode(await ReadResponseAsync(session, Encode(serverFirst), ct).ConfigureAwait(false));
        var result = scram.Finish(clientFinal);
        if (result is null)
        {
            // The proof stands in for the password: each wrong attempt counts.
            throttle.Failed(client, scram.UserName, clientFinal);
            LogScramFailure(session, scram, mechanism);
            await FailAsync(session, tag, mechanism, ct).ConfigureAwait(false);
            return;
        }

        throttle.Succeeded(client, scram.UserName);

        // The server signature goes in a last challenge; the client answers with an empty line.
        await ReadResponseAsync(session, Encode(result.Value.ServerFinal), ct).ConfigureAwait(false);
        LoginCommand.Admit(session, tag, result.Value.Account, mechanism);
    }

    /// <summary>Tells the operator why, where it is something they can act on; the client hears only "failed".</summary>
    private static void LogScramFailure(ImapSession session, ScramSha256Server scram, string mechanism)
    {
        if (scram.Failure == ScramFailure.NoKeys)
        {
            Log.ScramNoKeys(session.Log, mechanism, scram.AccountId ?? 0);
        }
        else
        {
            Log.ScramFailed(session.Log, mechanism, scram.Failure);
        }
    }

    /// <summary>The same answer and delay as a wrong password with LOGIN or PLAIN.</summary>
    private static async Task FailAsync(ImapSession session, string tag, string mechanism, CancellationToken ct)
    {
        await Task.Delay(session.Auth.FailureDelay, ct).ConfigureAwait(false);
        LoginCommand.Refuse(session, tag, mechanism);
    }

    /// <summary>Sends a continuation with <paramref name="challenge"/> (base64) and reads the client's response line.</summary>
    private static async Task<string> ReadResponseAsync(ImapSession session, string challenge, CancellationToken ct)
    {
        session.Connection.WriteLine("+ " + challenge);
        var line = await session.Connection.ReadLineAsync(MaxResponseLine, ct).ConfigureAwait(false);
        if (line.Status == LineStatus.Closed)
        {
            throw new IOException("Connection closed during AUTHENTICATE.");
        }

        if (line.Status == LineStatus.TooLong)
        {
            throw ImapException.Bad("Response too long");
        }

        string response = line.Text;
        if (response == "*")
        {
            throw ImapException.Bad("Authentication cancelled");
        }

        return response;
    }

    private static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw ImapException.Bad("Malformed base64 in the SASL response");
        }
    }
}
