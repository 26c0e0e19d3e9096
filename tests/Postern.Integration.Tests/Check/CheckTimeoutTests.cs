using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Check;

/// <summary>A host that accepts connections and then says nothing: every wait is bounded.</summary>
[Collection(CheckFakesCollection.Name)]
public sealed class CheckTimeoutTests
{
    [Fact]
    public async Task Silent_listeners_on_every_port_end_the_check_well_under_thirty_seconds()
    {
        int offset = ServerFixture.FindFreeOffset();
        // Listening sockets whose connections are never accepted: the kernel completes the TCP
        // handshake (backlog), then nothing is ever sent or read — the worst case for a probe.
        var listeners = new List<Socket>();
        try
        {
            foreach (int port in new[] { 993, 143, 995, 110, 465, 587, 26, 25, 443, 80 })
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listeners.Add(s);
                try
                {
                    s.Bind(new IPEndPoint(IPAddress.Loopback, port + offset));
                }
                catch (SocketException) when (port is 443 or 80)
                {
                    continue; // FindFreeOffset checks the mail ports only; the web ports are a bonus
                }

                s.Listen(32);
            }

            var sw = Stopwatch.StartNew();
            var (r, report) = await CheckCli.RunJsonAsync("127.0.0.1", "--port-offset", offset.ToString());
            sw.Stop();
            Assert.Equal(2, r.ExitCode);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"took {sw.Elapsed}");
            Assert.All(report.GetProperty("endpoints").EnumerateArray(), e =>
            {
                Assert.True(e.GetProperty("reachable").GetBoolean());
                Assert.False(e.GetProperty("secure").GetBoolean());
                Assert.NotEmpty(CheckCli.Codes(e));
            });
            Assert.All(report.GetProperty("autoconfig").EnumerateArray(), a => Assert.False(a.GetProperty("served").GetBoolean()));
        }
        finally
        {
            listeners.ForEach(s => s.Dispose());
        }
    }
}
