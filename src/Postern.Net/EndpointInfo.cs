using System.Net;

namespace Postern.Net;

/// <summary>The mail protocols an endpoint can speak.</summary>
public enum MailProtocol
{
    /// <summary>SMTP from other servers (MX, port 25): no AUTH, mail for our own domains only.</summary>
    SmtpRelay,

    /// <summary>SMTP submission from users (465, 587, 26): AUTH required.</summary>
    Submission,

    Imap,

    Pop3,
}

/// <summary>One listening endpoint as configured: a name, where it listens, and its security mode.</summary>
public sealed record EndpointInfo(string Name, MailProtocol Protocol, IPAddress Address, int Port, TlsMode Mode)
{
    /// <summary>
    /// The port of the same service in the other security mode (993 for 143, 465 for 587 and for 25),
    /// used to advise clients that picked the wrong mode; null when there is none.
    /// </summary>
    public int? AlternatePort { get; init; }

    public override string ToString() => $"{Name} ({Protocol}, {Mode}) on {new IPEndPoint(Address, Port)}";
}
