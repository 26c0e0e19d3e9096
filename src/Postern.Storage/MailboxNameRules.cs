using System.Text;

namespace Postern.Storage;

/// <summary>
/// The mailbox names every store accepts, and their normal form. "/" is the hierarchy separator;
/// the first segment "INBOX" in any case means the inbox (RFC 9051 5.1), so it is stored upper-case.
/// Length and depth are <see cref="StoreLimits"/>.
/// </summary>
public static class MailboxNameRules
{
    public const string Inbox = "INBOX";
    public const char Separator = '/';

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsInbox(string name) => string.Equals(name, Inbox, StringComparison.OrdinalIgnoreCase);

    /// <summary>The stored form of a lookup name: a leading INBOX segment upper-cased. No validation.</summary>
    public static string Normalize(string name)
    {
        int slash = name.IndexOf(Separator, StringComparison.Ordinal);
        string first = slash < 0 ? name : name[..slash];
        return IsInbox(first) && first != Inbox ? Inbox + name[first.Length..] : name;
    }

    /// <summary>
    /// The normalised name, or <see cref="MailboxException"/> (InvalidName) with the reason, or
    /// <see cref="StoreLimitException"/> when it is too long or too deep.
    /// </summary>
    public static string Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw Invalid("A mailbox name must not be empty.");
        }

        try
        {
            s_strictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid("A mailbox name must be valid Unicode.");
        }

        StoreLimits.CheckMailboxName(name);

        foreach (char c in name)
        {
            // NUL, CR and LF cannot travel in an IMAP string; other controls only cause trouble.
            if (char.IsControl(c))
            {
                throw Invalid("A mailbox name must not contain control characters.");
            }
        }

        foreach (string segment in name.Split(Separator))
        {
            if (segment.Length == 0)
            {
                throw Invalid("A mailbox name must not have empty levels (leading, trailing or doubled '/').");
            }

            // "." and ".." would read as path navigation to any client or tool mapping names to folders.
            if (segment is "." or "..")
            {
                throw Invalid("A mailbox name must not have '.' or '..' levels.");
            }
        }

        return Normalize(name);
    }

    /// <summary>The names of the missing ancestors of <paramref name="name"/>, outermost first.</summary>
    public static IEnumerable<string> Ancestors(string name)
    {
        for (int i = name.IndexOf(Separator, StringComparison.Ordinal); i >= 0; i = name.IndexOf(Separator, i + 1))
        {
            yield return name[..i];
        }
    }

    public static bool IsDescendant(string name, string parent) =>
        name.Length > parent.Length + 1 && name.StartsWith(parent, StringComparison.Ordinal) && name[parent.Length] == Separator;

    private static MailboxException Invalid(string message) => new(MailboxError.InvalidName, message);
}
