using System.Text;
using Postern.Net;
using Postern.Smtp.Parsing;
using Xunit;

namespace Postern.Protocol.Tests.Smtp;

/// <summary>Mail loop detection (Postfix hopcount_limit = 50, ours included): see HopCounter.</summary>
public class HopCountTests
{
    private static string Message(int received, string? extraHeader = null)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < received; i++)
        {
            sb.Append($"Received: from hop{i}.test by hop{i + 1}.test; Thu, 1 Jan 2026 00:00:00 +0000\r\n");
        }

        sb.Append(extraHeader);
        sb.Append("From: x@remote.test\r\nTo: alice@example.org\r\nSubject: loop\r\n\r\nbody\r\n");
        return sb.ToString();
    }

    private static async Task<string> DeliverAsync(string message)
    {
        await using var h = await SmtpHarness.StartAsync(MailProtocol.SmtpRelay, TlsMode.StartTls);
        await h.EhloAsync("sender.test");
        Assert.Equal("250 2.1.0 Sender ok", await h.CommandAsync("MAIL FROM:<x@remote.test>"));
        Assert.Equal("250 2.1.5 Recipient ok", await h.CommandAsync("RCPT TO:<alice@example.org>"));
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await h.CommandAsync("DATA"));
        await h.SendAsync(message + ".\r\n");
        string reply = await h.ReadAsync();
        // The session goes on after a refused message.
        Assert.Equal("250 2.0.0 Ok", await h.CommandAsync("NOOP"));
        Assert.Equal(reply.StartsWith("250 ", StringComparison.Ordinal) ? 1 : 0, h.Store.Accepted.Count);
        return reply;
    }

    [Fact]
    public async Task FortyEightReceivedFieldsPlusOursAreAccepted() =>
        Assert.StartsWith("250 2.0.0 ", await DeliverAsync(Message(48)));

    [Fact]
    public async Task FortyNineReceivedFieldsPlusOursAreALoop() =>
        Assert.Equal("554 5.4.6 Too many hops (mail loop?)", await DeliverAsync(Message(49)));

    [Fact]
    public async Task ThousandsOfReceivedFieldsAreRefusedNotStored() =>
        Assert.StartsWith("554 5.4.6 ", await DeliverAsync(Message(5000)));

    [Theory]
    [InlineData("Received: x", 2)]
    [InlineData("RECEIVED : x", 2)]
    [InlineData("received\t:x", 2)]
    [InlineData("Received-SPF: pass", 1)]
    [InlineData("X-Received: x", 1)]
    [InlineData(" Received: folded continuation", 1)]
    [InlineData("Received", 1)]
    public void OnlyReceivedFieldsCount(string line, int expected)
    {
        var c = new HopCounter(50);
        c.Line(Encoding.ASCII.GetBytes(line));
        Assert.Equal(expected, c.Count);
    }

    [Fact]
    public void ReceivedFieldsInTheBodyDoNotCount()
    {
        var c = new HopCounter(3);
        c.Line("Subject: x"u8);
        c.Line(""u8);
        for (int i = 0; i < 10; i++)
        {
            c.Line("Received: from an attached message"u8);
        }

        Assert.Equal(1, c.Count);
        Assert.False(c.Exceeded);
    }
}
