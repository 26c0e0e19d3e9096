using System.Security.Authentication;
using Postern.Net;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// STARTTLS (RFC 3207). After "220" the connection layer discards every byte the client had
    /// already sent (nothing pipelined may run inside TLS, RFC 3207 5 / CVE-2011-0411), and the
    /// session forgets everything learnt in plaintext (RFC 3207 4.2): the client must EHLO again.
    /// </summary>
    private async Task StartTlsAsync(bool hasArgs)
    {
        if (_connection.IsTls || _connection.Endpoint.Mode == TlsMode.Implicit)
        {
            Error(Replies.TlsAlreadyActive);
            return;
        }

        if (hasArgs)
        {
            Error(Replies.NoArgumentsAllowed);
            return;
        }

        if (!_connection.CanStartTls)
        {
            Error(Replies.TlsNotAvailable);
            return;
        }

        Send(Replies.ReadyForTls);
        try
        {
            await _connection.StartTlsAsync(_ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // Handshake failed or timed out (IdleTimeoutException is an IOException): the stream is
            // unusable now and no plaintext reply may follow, so we just close.
            _log.TlsFailed(_remote, e.Message);
            _close = true;
            return;
        }

        if (_connection.DiscardedAtUpgrade > 0)
        {
            _log.DiscardedAfterStartTls(_remote, _connection.DiscardedAtUpgrade);
        }

        _log.TlsStarted(_remote, _connection.TlsDescription);
        ResetSessionState();
    }
}
