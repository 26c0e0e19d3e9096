using System.Text;
using Postern.Smtp.Parsing;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The MAIL FROM / RCPT TO argument parser (path, then esmtp-params) and the EHLO name check,
/// called directly. The session hands them a strictly decoded UTF-8 line; a line that does not
/// decode is answered before them, so such input is out of scope here.
/// </summary>
public sealed class SmtpPathTarget : IFuzzTarget
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Name => "smtp-path";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(input);
        }
        catch (DecoderFallbackException)
        {
            return;
        }

        Check(PathArguments.TryParse(text, "FROM:", isMail: true, out var mail), mail);
        Check(PathArguments.TryParse(text, "TO:", isMail: false, out var rcpt), rcpt);
        PathParser.IsValidHeloName(text);
        PathParser.Unquote(text);
    }

    /// <summary>A success must come with a result and a failure without one.</summary>
    private static void Check(ArgumentError error, PathArguments? result)
    {
        if ((error == ArgumentError.None) != (result is not null))
        {
            throw new InvalidOperationException($"PathArguments.TryParse returned {error} with result {(result is null ? "null" : "set")}.");
        }
    }
}
