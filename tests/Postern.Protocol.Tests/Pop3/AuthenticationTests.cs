using System.Text;
using Postern.Net;
using Postern.Pop3;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class AuthenticationTests
{
    private static string Plain(string user, string password, string authzid = "") =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{authzid}\0{user}\0{password}"));

    [Fact]
    public async Task User_pass_over_tls_logs_in()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.World.AddAsync("Subject: one\r\n\r\nbody\r\n");
        Assert.Equal("+OK Logged in, maildrop has 1 messages (22 octets)", await t.LoginAsync());
        Assert.Equal("+OK 1 22", await t.CommandAsync("STAT"));
        await t.QuitAsync();
    }

    [Fact]
    public async Task User_pass_over_implicit_tls_logs_in()
    {
        await using var t = await Pop3Test.StartAsync(TlsMode.Implicit);
        Assert.StartsWith("+OK Logged in", await t.LoginAsync(TlsMode.Implicit));
    }

    [Fact]
    public async Task Password_may_contain_spaces()
    {
        var world = await Pop3World.CreateAsync();
        await world.Store.SetPasswordHashAsync("alice@example.org", Storage.Accounts.PasswordHasher.Hash("two words ", iterations: 1000));
        await using var t = await Pop3Test.StartAsync(world);
        await t.GreetAndSecureAsync();
        await t.CommandAsync("USER alice@example.org");
        Assert.StartsWith("+OK Logged in", await t.CommandAsync("PASS two words "));
    }

    [Fact]
    public async Task Auth_plain_with_initial_response_logs_in()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.StartsWith("+OK Logged in", await t.CommandAsync("AUTH PLAIN " + Plain("alice@example.org", "secret")));
        Assert.Equal("+OK 0 0", await t.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Auth_plain_with_continuation_logs_in()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("+ ", await t.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("+OK Logged in", await t.CommandAsync(Plain("alice@example.org", "secret", authzid: "alice@example.org")));
    }

    [Fact]
    public async Task Auth_plain_continuation_accepts_a_response_longer_than_a_command_line()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("+ ", await t.CommandAsync("AUTH PLAIN"));
        // 600 base64 characters: over the 255-octet command limit, under the AUTH response limit.
        Assert.Equal("-ERR [AUTH] Authentication failed", await t.CommandAsync(Plain("alice@example.org", new string('x', 430))));
    }

    [Fact]
    public async Task Auth_star_cancels()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("+ ", await t.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("-ERR", await t.CommandAsync("*"));
        Assert.StartsWith("-ERR", await t.CommandAsync("STAT"));
        Assert.StartsWith("+OK Logged in", await t.CommandAsync("AUTH PLAIN " + Plain("alice@example.org", "secret")));
    }

    [Fact]
    public async Task Bare_auth_lists_mechanisms()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.StartsWith("+OK", await t.CommandAsync("AUTH"));
        Assert.Equal(["PLAIN"], await t.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Unknown_mechanism_is_refused()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.StartsWith("-ERR", await t.CommandAsync("AUTH CRAM-MD5"));
    }

    [Theory]
    [InlineData("!!!notbase64!!!")]
    [InlineData("=")]
    public async Task Malformed_plain_response_fails(string response)
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("-ERR [AUTH] Authentication failed", await t.CommandAsync("AUTH PLAIN " + response));
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_fail_identically()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("+OK Send PASS", await t.CommandAsync("USER nobody@example.org"));
        var unknownUser = await t.CommandAsync("PASS secret");
        Assert.Equal("+OK Send PASS", await t.CommandAsync("USER alice@example.org"));
        var wrongPassword = await t.CommandAsync("PASS wrong");
        var saslUnknown = await t.CommandAsync("AUTH PLAIN " + Plain("nobody@example.org", "secret"));
        var saslWrong = await t.CommandAsync("AUTH PLAIN " + Plain("alice@example.org", "wrong"));

        Assert.Equal("-ERR [AUTH] Authentication failed", unknownUser);
        Assert.Equal(unknownUser, wrongPassword);
        Assert.Equal(unknownUser, saslUnknown);
        Assert.Equal(unknownUser, saslWrong);
        // Still in AUTHORIZATION.
        Assert.StartsWith("-ERR", await t.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Pass_must_follow_user_immediately()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("-ERR Send USER first", await t.CommandAsync("PASS secret"));
        Assert.StartsWith("+OK", await t.CommandAsync("USER alice@example.org"));
        Assert.StartsWith("+OK", await t.CommandAsync("CAPA"));
        await t.ReadMultiLineAsync();
        Assert.Equal("-ERR Send USER first", await t.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Second_session_on_the_same_maildrop_gets_in_use_and_may_retry_later()
    {
        var world = await Pop3World.CreateAsync();
        await using var first = await Pop3Test.StartAsync(world);
        Assert.StartsWith("+OK Logged in", await first.LoginAsync());

        await using var second = await Pop3Test.StartAsync(world);
        Assert.Equal("-ERR [IN-USE] Maildrop is locked by another session", await second.LoginAsync());
        Assert.StartsWith("-ERR", await second.CommandAsync("STAT"));

        await first.QuitAsync();
        Assert.StartsWith("+OK", await second.CommandAsync("USER alice@example.org"));
        Assert.StartsWith("+OK Logged in", await second.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Commands_of_other_states_are_refused()
    {
        await using var t = await Pop3Test.StartAsync(options: new Pop3Options { MaxErrors = 100 });
        await t.GreetAndSecureAsync();
        foreach (var command in new[] { "STAT", "LIST", "UIDL", "RETR 1", "TOP 1 1", "DELE 1", "NOOP", "RSET" })
        {
            Assert.Equal("-ERR Command not valid in this state", await t.CommandAsync(command));
        }

        await t.CommandAsync("USER alice@example.org");
        await t.CommandAsync("PASS secret");
        Assert.Equal("-ERR Command not valid in this state", await t.CommandAsync("USER alice@example.org"));
        Assert.Equal("-ERR Command not valid in this state", await t.CommandAsync("AUTH PLAIN " + Plain("alice@example.org", "secret")));
    }
}
