using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>ENABLE (RFC 5161), NAMESPACE (RFC 2342) and ID (RFC 2971).</summary>
public class EnableNamespaceIdTests
{
    [Fact]
    public async Task Enable_enables_nothing_unknown()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["* ENABLED", "a OK ENABLE completed"], await f.CommandAsync("a", "ENABLE X-UNKNOWN X-OTHER"));
        Assert.StartsWith("b BAD", (await f.CommandAsync("b", "ENABLE"))[^1]);
        await f.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("c BAD", (await f.CommandAsync("c", "ENABLE CONDSTORE"))[^1]);
    }

    [Fact]
    public async Task Namespace_is_personal_only()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        Assert.Equal(["* NAMESPACE ((\"\" \"/\")) NIL NIL", "a OK NAMESPACE completed"], await f.CommandAsync("a", "NAMESPACE"));
    }

    [Fact]
    public async Task Id_answers_with_name_and_limits_parameters()
    {
        await using var f = await ImapFixture.StartAsync(Postern.Net.TlsMode.Implicit);
        Assert.Equal(["* ID (\"name\" \"Postern\")", "a OK ID completed"], await f.CommandAsync("a", "ID (\"name\" \"Thunderbird\" \"version\" NIL)"));
        Assert.Equal(["* ID (\"name\" \"Postern\")", "b OK ID completed"], await f.CommandAsync("b", "ID NIL"));
        Assert.StartsWith("c BAD", (await f.CommandAsync("c", "ID (\"name\")"))[^1]);
        var many = string.Join(' ', Enumerable.Range(0, 31).Select(i => $"\"f{i}\" \"v\""));
        Assert.Equal(["d BAD Too many ID parameters"], await f.CommandAsync("d", $"ID ({many})"));
        Assert.StartsWith("e BAD", (await f.CommandAsync("e", $"ID (\"{new string('x', 31)}\" \"v\")"))[^1]);
    }

    [Fact]
    public async Task Capabilities_list_every_extension()
    {
        await using var f = await ImapFixture.LoggedInAsync();
        var caps = (await f.CommandAsync("a", "CAPABILITY"))[0].Split(' ');
        foreach (var c in new[] { "IMAP4rev1", "LITERAL+", "UIDPLUS", "MOVE", "IDLE", "ENABLE", "NAMESPACE", "ID", "CHILDREN", "SPECIAL-USE", "UNSELECT" })
        {
            Assert.Contains(c, caps);
        }
    }
}
