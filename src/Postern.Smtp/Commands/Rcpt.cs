using Postern.Smtp.Parsing;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// RCPT TO:&lt;path&gt; (RFC 5321 4.1.1.3). Resolved now, so DATA never starts for nobody:
    /// a local domain needs an existing account (550 5.1.1); another domain is refused on the MX
    /// port (never an open relay) and queued for outbound delivery on submission.
    /// </summary>
    private async Task RcptAsync(string args)
    {
        if (_transaction is null)
        {
            Error(_helo is null ? Replies.SendHeloFirst : Replies.NeedMail);
            return;
        }

        var error = PathArguments.TryParse(args, "TO:", isMail: false, out var parsed);
        if (error != ArgumentError.None)
        {
            Error(error switch
            {
                ArgumentError.SourceRoute => Replies.SourceRoute,
                ArgumentError.TooLong => Replies.AddressTooLong,
                ArgumentError.Parameter => Replies.SyntaxError,
                _ => Replies.BadRecipientSyntax,
            });
            return;
        }

        if (parsed!.Parameters.Count > 0)
        {
            // We advertise no RCPT extension (no DSN), so every parameter is unknown.
            Error(Replies.UnknownParameter);
            return;
        }

        var to = parsed.Address;
        if (to.HasNonAscii && !_transaction.Utf8)
        {
            Error(Replies.NonAsciiNeedsUtf8);
            return;
        }

        if (to.IsBarePostmaster)
        {
            await AddPostmasterAsync().ConfigureAwait(false);
            return;
        }

        bool local = !to.IsAddressLiteral && await _store.IsLocalDomainAsync(to.Domain, _ct).ConfigureAwait(false);
        if (local)
        {
            var account = await _store.FindAccountAsync(to.ToString(), _ct).ConfigureAwait(false);
            if (account is null)
            {
                Error(Replies.NoSuchUser);
                return;
            }

            await AddLocalAsync(account).ConfigureAwait(false);
            return;
        }

        if (!IsSubmission)
        {
            Error(Replies.RelayDenied);
            return;
        }

        string address = to.ToString();
        if (!_transaction.Contains(address))
        {
            if (RecipientLimitReached())
            {
                return;
            }

            _transaction.Add(address);
        }

        Send(Replies.RecipientOk);
    }

    /// <summary>Recipients one transaction may have here: <see cref="SmtpOptions.MaxRecipients"/> on port 25, fewer on submission.</summary>
    private int RecipientLimit => IsSubmission ? _options.MaxSubmissionRecipients : _options.MaxRecipients;

    /// <summary>
    /// At the limit, answers 452 4.5.3 (RFC 5321 4.5.3.1.10: the client sends the rest in another
    /// transaction) and returns true. Not an error: a client with many recipients meets this
    /// routinely. But one that goes on sending as many again is looping, and from then on each
    /// refused recipient counts as an error, as Postfix's smtpd_recipient_overshoot_limit does
    /// (there 1000, the same as its recipient limit).
    /// </summary>
    private bool RecipientLimitReached()
    {
        if (_transaction!.Count < RecipientLimit)
        {
            return false;
        }

        Send(Replies.TooManyRecipients);
        if (++_transaction.Overshoot > RecipientLimit)
        {
            CountError();
        }

        return true;
    }

    private async Task AddLocalAsync(Storage.Account account)
    {
        if (!_transaction!.Contains(account.Id))
        {
            if (RecipientLimitReached())
            {
                return;
            }

            if (!await RecipientHasRoomAsync(account).ConfigureAwait(false))
            {
                // Only this recipient is refused; the others of the transaction still get the message.
                _log.MailboxFull(account.Address, _remote);
                Send(Replies.MailboxFull);
                return;
            }

            _transaction.Add(account.Id);
        }

        Send(Replies.RecipientOk);
    }

    /// <summary>"postmaster" without a domain (RFC 5321 4.5.1) goes to postmaster@ the first local domain that has one.</summary>
    private async Task AddPostmasterAsync()
    {
        foreach (string domain in await _store.ListDomainsAsync(_ct).ConfigureAwait(false))
        {
            var account = await _store.FindAccountAsync("postmaster@" + domain, _ct).ConfigureAwait(false);
            if (account is not null)
            {
                await AddLocalAsync(account).ConfigureAwait(false);
                return;
            }
        }

        Error(Replies.NoSuchUser);
    }
}
