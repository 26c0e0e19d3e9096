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
    public override string ToString() => $"{Name} ({Protocol}, {Mode}) on {new IPEndPoint(Address, Port)}";
}
