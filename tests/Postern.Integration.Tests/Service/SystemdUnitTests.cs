using System.Net;
using System.Net.Sockets;
using System.Text;
using Postern.Integration.Tests.Support;
using Postern.Net;

namespace Postern.Integration.Tests.Service;

/// <summary>
/// Issue 9 point 5: deploy/postern.service, the unit README "Running as a service" installs. The
/// unit names /opt/postern/postern, which a test machine does not have, so each test uses a copy
/// whose ExecStart points at the apphost of this build (next to the tests) instead: everything
/// else is the file as shipped.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private const string InstalledExecutable = "/opt/postern/postern";
    private const string InstalledData = "/var/lib/postern";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-unit-" + Guid.NewGuid().ToString("N")[..8]);

    public SystemdUnitTests() => Directory.CreateDirectory(_dir);

    private static string Unit => File.ReadAllText(Repository.PathOf("deploy/postern.service"));

    /// <summary>The apphost `dotnet publish` puts in /opt/postern; the build puts one next to the tests.</summary>
    private static string Apphost => Path.Combine(AppContext.BaseDirectory, "postern");

    [SkippableFact]
    public async Task The_unit_passes_systemd_analyze_verify_without_a_warning_and_stays_hardened()
    {
        string analyze = ProcessRunner.RequireClient("systemd-analyze");
        Assert.Contains("ExecStart=" + InstalledExecutable + " ", Unit);
        Assert.Contains("Type=notify", Unit);
        Assert.Contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", Unit);
        Assert.Contains("User=postern", Unit);

        // The file must be called postern.service: verify takes the unit name from it.
        string unit = Path.Combine(_dir, "postern.service");
        await File.WriteAllTextAsync(unit, Unit.Replace("ExecStart=" + InstalledExecutable, "ExecStart=" + Apphost, StringComparison.Ordinal));

        // verify exits 0 after some warnings (an unknown key is "ignoring"), so any output fails.
        var verify = await ProcessRunner.RunAsync(analyze, ["verify", unit]);
        Assert.True(verify.ExitCode == 0 && verify.All.Trim().Length == 0, "systemd-analyze verify:\n" + verify);

        // The exposure score systemd computes from the sandboxing settings (0 best, 10 worst; this
        // unit scores about 2.1): a setting dropped by mistake pushes it over 3 and fails here.
        var security = await ProcessRunner.RunAsync(analyze, ["security", "--offline=yes", "--threshold=30", unit]);
        Assert.True(security.ExitCode == 0, "systemd-analyze security:\n" + security);
    }

    [Fact]
    public async Task Serve_as_the_unit_starts_it_says_READY_once_every_endpoint_listens_and_STOPPING_at_SIGTERM()
    {
        string data = Path.Combine(_dir, "data");
        var init = await PosternCli.RunAsync(data, null, "init", "--hostname", "localhost", "--domain", ServerFixture.Domain);
        Assert.True(init.ExitCode == 0, init.ToString());

        // ExecStart as written, with this build and a temporary data folder in place of the
        // installed ones, and moved to free loopback ports.
        var exec = Unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Trim().Split(' ');
        Assert.Equal(InstalledExecutable, exec[0]);
        int offset = ServerFixture.FindFreeOffset();
        var args = exec[1..].Select(a => a == InstalledData ? data : a).Concat(["--port-offset", offset.ToString(), "--bind", "127.0.0.1"]).ToList();
        Assert.Contains(data, args);

        // systemd's side of sd_notify(3): a datagram socket named by NOTIFY_SOCKET.
        string socketPath = Path.Combine(Path.GetTempPath(), $"postern-notify-{Guid.NewGuid().ToString("N")[..8]}.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        try
        {
            int[] ports = [25, 26, 80, 110, 143, 443, 465, 587, 993, 995];
            // The moment READY=1 arrives, every endpoint must already accept connections.
            var readyThenProbe = Task.Run(async () =>
            {
                var message = await ReceiveAsync(notify, TimeSpan.FromSeconds(90));
                var refused = new List<string>();
                foreach (int port in ports)
                {
                    using var tcp = new TcpClient();
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    try
                    {
                        await tcp.ConnectAsync(IPAddress.Loopback, port + offset, cts.Token);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                        refused.Add($"{port + offset}: {e.Message}");
                    }
                }

                return (message, refused);
            });

            await using var serve = await ServeProcess.StartAsync(args, env: new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath }, executable: Apphost);
            var (ready, refused) = await readyThenProbe.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(ready.Split('\n').Contains("READY=1"), $"expected READY=1, got \"{ready}\"\n{serve.Log}");
            Assert.True(refused.Count == 0, "not listening when READY=1 came:\n" + string.Join("\n", refused) + "\n" + serve.Log);

            // The unit's LimitNOFILE must carry the default Limits:MaxConnections next to the web
            // connections, given what this server really holds open once started.
            int openNow = Directory.GetFileSystemEntries($"/proc/{serve.Pid}/fd").Length;
            long limit = long.Parse(Unit.Split('\n').Single(l => l.StartsWith("LimitNOFILE=", StringComparison.Ordinal))["LimitNOFILE=".Length..].Trim());
            int? carried = DescriptorBudget.CapFor(limit - global::Postern.Web.WebHost.MaxConnections, openNow);
            int wanted = new ConnectionLimits().MaxConnections;
            Assert.True(carried >= wanted, $"LimitNOFILE={limit} carries {carried} mail connections with {openNow} descriptors open at start; MaxConnections defaults to {wanted}");

            var stopping = ReceiveAsync(notify, TimeSpan.FromSeconds(30));
            Assert.Equal(0, await serve.StopAsync());
            string last = await stopping;
            Assert.True(last.Split('\n').Contains("STOPPING=1"), $"expected STOPPING=1 at SIGTERM, got \"{last}\"\n{serve.Log}");
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No sd_notify message within {timeout.TotalSeconds:0} s.");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Temp data only.
        }
    }
}
