using System.Net.Sockets;
using System.Text;

namespace Postern.Integration.Tests.Check;

/// <summary>
/// A plaintext-only line server from the bad old days (no TLS at all): a greeting, then one
/// scripted answer per command line; a null answer ends the session after a goodbye.
/// </summary>
public sealed class FakePlaintextServer : FakeServer
{
    private readonly string _greeting;
    private readonly Func<string, (string Reply, bool Close)> _answer;

    public FakePlaintextServer(int port, string greeting, Func<string, (string Reply, bool Close)> answer)
        : base(port)
    {
        _greeting = greeting;
        _answer = answer;
        Start();
    }

    /// <summary>Every command received, in order (to prove no password was ever sent).</summary>
    public List<string> Commands { get; } = [];

    protected override async Task SessionAsync(TcpClient client, CancellationToken ct)
    {
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        async Task Say(string s) => await stream.WriteAsync(Encoding.ASCII.GetBytes(s + "\r\n"), ct);
        try
        {
            await Say(_greeting);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                lock (Commands)
                {
                    Commands.Add(line);
                }

                var (reply, close) = _answer(line);
                await Say(reply);
                if (close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The checker hung up or probed with TLS: the end of this session.
        }
    }
}

/// <summary>The scripts of the plaintext fakes.</summary>
public static class PlaintextFakes
{
    /// <summary>POP3 without STLS that takes USER in the clear although CAPA does not list it — only a real USER probe catches it.</summary>
    public static FakePlaintextServer Pop3(int port) => new(port, "+OK fake POP3 ready", line => line.Split(' ')[0].ToUpperInvariant() switch
    {
        "CAPA" => ("+OK\r\nTOP\r\nUIDL\r\n.", false),
        "USER" => ("+OK send PASS", false),
        "QUIT" => ("+OK bye", true),
        _ => ("-ERR no", false),
    });

    /// <summary>IMAP without STARTTLS and without LOGINDISABLED: LOGIN would take a password in the clear.</summary>
    public static FakePlaintextServer Imap(int port) => new(port, "* OK fake IMAP ready", line =>
    {
        var parts = line.Split(' ', 3);
        string tag = parts[0];
        return (parts.Length > 1 ? parts[1].ToUpperInvariant() : "") switch
        {
            "CAPABILITY" => ($"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done", false),
            "LOGOUT" => ($"* BYE\r\n{tag} OK bye", true),
            _ => ($"{tag} BAD no", false),
        };
    });
}
