using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Postern.Integration.Tests.Support;

/// <summary>MailKit clients set up as a careful email program would: the server certificate is verified.</summary>
public static class MailKitClients
{
    public static SecureSocketOptions ModeFor(int standardPort) => standardPort is 993 or 995 or 465
        ? SecureSocketOptions.SslOnConnect
        : SecureSocketOptions.StartTls;

    public static async Task<ImapClient> ImapAsync(PosternServer s, int standardPort, string? user = null)
    {
        var c = new ImapClient { ServerCertificateValidationCallback = s.ValidateCertificate, Timeout = 20_000 };
        await c.ConnectAsync("localhost", s.Port(standardPort), ModeFor(standardPort));
        if (user is not null)
        {
            await c.AuthenticateAsync(user, ServerFixture.Password);
        }

        return c;
    }

    public static async Task<Pop3Client> Pop3Async(PosternServer s, int standardPort, string? user = null)
    {
        var c = new Pop3Client { ServerCertificateValidationCallback = s.ValidateCertificate, Timeout = 20_000 };
        await c.ConnectAsync("localhost", s.Port(standardPort), ModeFor(standardPort));
        if (user is not null)
        {
            await c.AuthenticateAsync(user, ServerFixture.Password);
        }

        return c;
    }

    public static async Task<SmtpClient> SmtpAsync(PosternServer s, int standardPort, string? user = null)
    {
        var c = new SmtpClient { ServerCertificateValidationCallback = s.ValidateCertificate, Timeout = 20_000, LocalDomain = "client.test" };
        await c.ConnectAsync("localhost", s.Port(standardPort), ModeFor(standardPort));
        if (user is not null)
        {
            await c.AuthenticateAsync(user, ServerFixture.Password);
        }

        return c;
    }
}
