using System.Text;
using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class StartTlsAndLoginTests
{
    private static string Plain(string user, string password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + password));

    [Fact]
    public async Task Plaintext_greeting_offers_starttls_and_disables_login()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.StartTls);
        Assert.StartsWith("* OK [CAPABILITY IMAP4rev1 ", f.Greeting);
        Assert.EndsWith("mail.test Postern ready", f.Greeting);
        Assert.Contains(" STARTTLS", f.Greeting);
        Assert.Contains(" LOGINDISABLED", f.Greeting);
        Assert.DoesNotContain("AUTH=", f.Greeting);
        Assert.DoesNotContain("PREAUTH", f.Greeting);
    }

    [Fact]
    public async Task Login_and_authenticate_are_refused_before_tls()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.StartTls);
        var login = await f.CommandAsync("a", "LOGIN alice@example.org secret");
        Assert.StartsWith("a NO [PRIVACYREQUIRED]", login[^1]);
        var auth = await f.CommandAsync("b", "AUTHENTICATE PLAIN " + Plain("alice@example.org", "secret"));
        Assert.StartsWith("b NO [PRIVACYREQUIRED]", auth[^1]);
        // Without an initial response the server must not even ask for credentials.
        var auth2 = await f.CommandAsync("c", "AUTHENTICATE PLAIN");
        Assert.Single(auth2);
        Assert.StartsWith("c NO", auth2[0]);
        var select = await f.CommandAsync("d", "SELECT INBOX");
        Assert.StartsWith("d BAD", select[^1]);
    }

    [Fact]
    public async Task Starttls_discards_pipelined_commands_and_reannounces_capabilities()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.StartTls);
        await f.Client.SendAsync("s STARTTLS\r\na LOGIN alice@example.org secret\r\n");
        var ok = await f.Client.ReadLineAsync();
        Assert.Equal("s OK Begin TLS negotiation now", ok);
        await f.Client.StartTlsAsync();
        await f.Client.SendLineAsync("b NOOP");
        var first = await f.Client.ReadLineAsync();
        Assert.Equal("b OK NOOP completed", first);

        var caps = await f.CommandAsync("c", "CAPABILITY");
        Assert.Contains("AUTH=PLAIN", caps[0]);
        Assert.DoesNotContain("STARTTLS", caps[0]);
        Assert.DoesNotContain("LOGINDISABLED", caps[0]);
        Assert.StartsWith("c OK", caps[^1]);

        // Still not logged in: the pipelined LOGIN never ran.
        var select = await f.CommandAsync("d", "SELECT INBOX");
        Assert.StartsWith("d BAD", select[^1]);
        var again = await f.CommandAsync("e", "STARTTLS");
        Assert.StartsWith("e BAD", again[^1]);

        var login = await f.CommandAsync("g", "LOGIN alice@example.org secret");
        Assert.StartsWith("g OK [CAPABILITY IMAP4rev1", login[^1]);
    }

    [Fact]
    public async Task Starttls_after_login_is_refused()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var r = await f.CommandAsync("a", "STARTTLS");
        Assert.StartsWith("a BAD", r[^1]);
    }

    [Fact]
    public async Task Implicit_tls_greeting_offers_auth_plain()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        Assert.Contains("AUTH=PLAIN", f.Greeting);
        Assert.DoesNotContain("STARTTLS", f.Greeting);
        Assert.DoesNotContain("LOGINDISABLED", f.Greeting);
    }

    [Fact]
    public async Task Login_with_quoted_and_literal_arguments()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        await f.Client.SendLineAsync("a LOGIN \"alice@example.org\" {6}");
        Assert.Equal("+ Ready for literal data", await f.Client.ReadLineAsync());
        await f.Client.SendLineAsync("secret");
        var lines = await f.Client.ReadUntilAsync("a ");
        Assert.StartsWith("a OK", lines[^1]);
    }

    [Fact]
    public async Task Login_with_non_synchronising_literal()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        var lines = await f.CommandAsync("a", "LOGIN {17+}\r\nalice@example.org secret");
        Assert.Single(lines);
        Assert.StartsWith("a OK", lines[0]);
    }

    [Fact]
    public async Task Authenticate_plain_with_initial_response()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        var r = await f.CommandAsync("a", "AUTHENTICATE PLAIN " + Plain("alice@example.org", "secret"));
        Assert.StartsWith("a OK", r[^1]);
        var s = await f.CommandAsync("b", "SELECT INBOX");
        Assert.StartsWith("b OK", s[^1]);
    }

    [Fact]
    public async Task Authenticate_plain_with_continuation_and_cancel()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        await f.Client.SendLineAsync("a AUTHENTICATE PLAIN");
        Assert.Equal("+ ", await f.Client.ReadLineAsync());
        await f.Client.SendLineAsync("*");
        Assert.StartsWith("a BAD", await f.Client.ReadLineAsync());

        await f.Client.SendLineAsync("b AUTHENTICATE PLAIN");
        Assert.Equal("+ ", await f.Client.ReadLineAsync());
        await f.Client.SendLineAsync(Plain("alice@example.org", "secret"));
        Assert.StartsWith("b OK", await f.Client.ReadLineAsync());
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_identical_answers()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        var wrong = await f.CommandAsync("a", "LOGIN alice@example.org nope");
        var unknown = await f.CommandAsync("a", "LOGIN mallory@example.org nope");
        Assert.Equal(["a NO [AUTHENTICATIONFAILED] Authentication failed"], wrong);
        Assert.Equal(wrong, unknown);
        var saslWrong = await f.CommandAsync("b", "AUTHENTICATE PLAIN " + Plain("alice@example.org", "nope"));
        var saslUnknown = await f.CommandAsync("b", "AUTHENTICATE PLAIN " + Plain("mallory@example.org", "nope"));
        Assert.Equal(saslWrong, saslUnknown);
        Assert.StartsWith("b NO [AUTHENTICATIONFAILED]", saslWrong[^1]);
    }

    [Fact]
    public async Task Logout_says_bye_then_ok_and_closes()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit);
        var lines = await f.CommandAsync("z", "LOGOUT");
        Assert.Equal(["* BYE Postern logging out", "z OK LOGOUT completed"], lines);
        Assert.True(await f.Client.IsClosedAsync());
    }

    [Fact]
    public async Task Too_many_failed_logins_close_the_session()
    {
        await using var f = await ImapFixture.StartAsync(TlsMode.Implicit, new Postern.Imap.ImapOptions { MaxAuthFailures = 2 });
        Assert.StartsWith("a NO", (await f.CommandAsync("a", "LOGIN alice@example.org x"))[^1]);
        await f.Client.SendLineAsync("b LOGIN alice@example.org y");
        Assert.Equal("b NO [AUTHENTICATIONFAILED] Authentication failed", await f.Client.ReadLineAsync());
        Assert.Equal("* BYE Too many authentication failures", await f.Client.ReadLineAsync());
        Assert.True(await f.Client.IsClosedAsync());
    }
}
