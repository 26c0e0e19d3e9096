using System.Globalization;
using Postern.Smtp.Parsing;

namespace Postern.Smtp.Session;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// MAIL FROM:&lt;path&gt; [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] (RFC 5321 4.1.1.2, RFC 1870,
    /// RFC 6152, RFC 6531). On submission the sender must be the authenticated account.
    /// </summary>
    private void Mail(string args)
    {
        if (_helo is null)
        {
            Error(Replies.SendHeloFirst);
            return;
        }

        if (_transaction is not null)
        {
            Error(Replies.NestedMail);
            return;
        }

        if (IsSubmission && _account is null)
        {
            Error(_connection.IsTls ? Replies.AuthRequired : Replies.TlsFirst);
            return;
        }

        var error = PathArguments.TryParse(args, "FROM:", isMail: true, out var parsed);
        if (error != ArgumentError.None)
        {
            Error(error switch
            {
                ArgumentError.SourceRoute => Replies.SourceRoute,
                ArgumentError.TooLong => Replies.AddressTooLong,
                ArgumentError.Parameter => Replies.SyntaxError,
                _ => Replies.BadSenderSyntax,
            });
            return;
        }

        if (parsed!.Parameters.Count > 0 && !_esmtp)
        {
            // Service extensions exist only after EHLO (RFC 5321 4.1.1.1).
            Error(Replies.ParametersNeedEhlo);
            return;
        }

        bool utf8 = false;
        long declaredSize = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parsed.Parameters)
        {
            if (!seen.Add(p.Keyword))
            {
                Error(Replies.SyntaxError);
                return;
            }

            switch (p.Keyword)
            {
                case "SIZE":
                    // RFC 1870 6: SIZE=<octets>, checked against our limit before any data is sent;
                    // a number too big for a long is simply too large.
                    if (p.Value is null || !p.Value.All(char.IsAsciiDigit))
                    {
                        Error(Replies.SyntaxError);
                        return;
                    }

                    if (!long.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long size) || size > _options.MaxMessageSize)
                    {
                        Error(Replies.DeclaredSizeTooLarge);
                        return;
                    }

                    declaredSize = size;
                    break;
                case "BODY":
                    // RFC 6152: we store octets as received, so both are fine.
                    if (!string.Equals(p.Value, "7BIT", StringComparison.OrdinalIgnoreCase) &&
                        !string.Equals(p.Value, "8BITMIME", StringComparison.OrdinalIgnoreCase))
                    {
                        Error(Replies.SyntaxError);
                        return;
                    }

                    break;
                case "SMTPUTF8":
                    if (p.Value is not null)
                    {
                        Error(Replies.SyntaxError);
                        return;
                    }

                    utf8 = true;
                    break;
                default:
                    Error(Replies.UnknownParameter);
                    return;
            }
        }

        var from = parsed.Address;
        if (from.HasNonAscii && !utf8)
        {
            Error(Replies.NonAsciiNeedsUtf8);
            return;
        }

        if (IsSubmission)
        {
            if (from.IsNull)
            {
                Error(Replies.NullSenderRefused);
                return;
            }

            if (!string.Equals(from.ToString(), _account!.Address, StringComparison.OrdinalIgnoreCase))
            {
                Error(Replies.NotYourAddress);
                return;
            }
        }

        if (_transactions >= _options.MaxTransactions)
        {
            // As Exim's smtp_accept_max_per_connection: 421 ends the session (RFC 5321 3.8), and
            // the client sends the rest of its queue in a new connection.
            _log.Closing(_remote, $"more than {_options.MaxTransactions} transactions");
            Send(Replies.TooManyTransactions);
            _close = true;
            return;
        }

        _transactions++;
        _transaction = new Transaction(from, utf8) { DeclaredSize = declaredSize };
        Send(Replies.SenderOk);
    }
}
