using Postern.Net;
using Xunit;

namespace Postern.Protocol.Tests.Pop3;

public sealed class GreetingCapaTests
{
    [Fact]
    public async Task Greeting_names_the_host_and_has_no_apop_timestamp()
    {
        await using var t = await Pop3Test.StartAsync();
        var greeting = await t.ReadLineAsync();
        Assert.Equal("+OK mail.example.org POP3 Postern ready", greeting);
        Assert.DoesNotContain("<", greeting);
    }

    [Fact]
    public async Task Capa_before_stls_offers_stls_but_no_credentials()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
        var caps = await t.ReadMultiLineAsync();
        Assert.Contains("STLS", caps);
        Assert.Contains("TOP", caps);
        Assert.Contains("UIDL", caps);
        Assert.Contains("RESP-CODES", caps);
        Assert.Contains("AUTH-RESP-CODE", caps);
        Assert.Contains("PIPELINING", caps);
        Assert.Contains("EXPIRE NEVER", caps);
        Assert.Contains("IMPLEMENTATION Postern", caps);
        Assert.DoesNotContain("USER", caps);
        Assert.DoesNotContain(caps, c => c.StartsWith("SASL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Capa_after_stls_offers_credentials_but_no_stls()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.GreetAndSecureAsync();
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
        var caps = await t.ReadMultiLineAsync();
        Assert.Contains("USER", caps);
        Assert.Contains("SASL PLAIN", caps);
        Assert.DoesNotContain("STLS", caps);
        Assert.Contains("TOP", caps);
    }

    [Fact]
    public async Task Capa_on_implicit_tls_offers_credentials_but_no_stls()
    {
        await using var t = await Pop3Test.StartAsync(TlsMode.Implicit);
        await t.GreetAndSecureAsync(TlsMode.Implicit);
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("capa"));
        var caps = await t.ReadMultiLineAsync();
        Assert.Contains("SASL PLAIN", caps);
        Assert.DoesNotContain("STLS", caps);
    }

    [Fact]
    public async Task Capa_works_in_transaction_state()
    {
        await using var t = await Pop3Test.StartAsync();
        Assert.StartsWith("+OK", await t.LoginAsync());
        Assert.Equal("+OK Capability list follows", await t.CommandAsync("CAPA"));
        Assert.Contains("UIDL", await t.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Quit_in_authorization_says_goodbye_and_closes()
    {
        await using var t = await Pop3Test.StartAsync();
        await t.ReadLineAsync();
        await t.QuitAsync("+OK mail.example.org POP3 Postern signing off");
    }
}
