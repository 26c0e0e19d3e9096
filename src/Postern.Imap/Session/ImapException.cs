namespace Postern.Imap.Session;

/// <summary>Protocol errors of a command, in one place (mox's user/syntax split): BAD for syntax, NO for refusals.</summary>
public sealed class ImapException : Exception
{
    private ImapException(string status, string text) : base(text)
    {
        Status = status;
    }

    /// <summary>"BAD" (syntax or state; counts toward <see cref="ImapOptions.MaxBadCommands"/>) or "NO".</summary>
    public string Status { get; }

    /// <summary>A syntax error or a command that makes no sense in this state; the text is sent to the client.</summary>
    public static ImapException Bad(string text) => new("BAD", text);

    /// <summary>A well-formed command that failed; the text (which may start with a [CODE]) is sent to the client.</summary>
    public static ImapException No(string text) => new("NO", text);
}
