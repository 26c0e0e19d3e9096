using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Hostile;

/// <summary>
/// A Postern of a test's own (own data folder, own port offset, own switches), which the test may
/// restart, kill -9 or run under `ulimit -n`. Users alice..erin@example.test with ServerFixture.Password.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    private HostileServer(string dataDir) => DataDir = dataDir;

    public string DataDir { get; }

    public int Offset { get; private set; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException("Not running.");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public int Port(int standard) => standard + Offset;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Sets up a data folder (init, five users) in <paramref name="dataDir"/> or a new temp folder.</summary>
    public static async Task<HostileServer> CreateAsync(string? dataDir = null)
    {
        var s = new HostileServer(dataDir ?? Path.Combine(Path.GetTempPath(), "postern-hostile-" + Guid.NewGuid().ToString("N")[..8]));
        var r = await PosternCli.RunAsync(s.DataDir, null, "init", "--hostname", "localhost", "--domain", ServerFixture.Domain);
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var u in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            r = await PosternCli.RunAsync(s.DataDir, ServerFixture.Password + "\n", "user", "add", ServerFixture.User(u));
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        s.Offset = ServerFixture.FindFreeOffset();
        return s;
    }

    /// <summary>Starts serve (listening on all addresses, so 127.0.0.x can connect) and waits until ready.</summary>
    public async Task StartAsync(IEnumerable<string> switches, int? fileLimit = null)
    {
        if (_process is not null)
        {
            await KillAsync();
            _process.Dispose();
        }

        var args = new List<string> { PosternCli.Dll, "--data", DataDir, "serve", "--port-offset", Offset.ToString() };
        args.AddRange(switches);
        ProcessStartInfo psi;
        if (fileLimit is int n)
        {
            // exec keeps the PID: the one we measure and kill is the server itself.
            psi = new ProcessStartInfo("sh") { ArgumentList = { "-c", $"ulimit -n {n} && exec dotnet \"$@\"", "sh" } };
        }
        else
        {
            psi = new ProcessStartInfo("dotnet");
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("serve exited before it was ready:\n" + Log));
                return;
            }

            Append(e.Data);
            if (e.Data.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(e.Data);
            }
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        if (await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            await KillAsync();
            throw new TimeoutException("serve was not ready within 60 s:\n" + Log);
        }

        await ready.Task;
    }

    private void Append(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>Waits (bounded, polling the captured output) until the log contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"The server did not log \"{text}\" within {timeout.TotalSeconds:0} s:\n{Log}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>kill -9: no chance to flush or clean up.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            // kill -9 of the server itself (with ulimit, sh exec'd into it, so this is the server).
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM and a bounded wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            await ProcessRunner.RunAsync("kill", ["-TERM", p.Id.ToString()]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("serve did not stop within 15 s of SIGTERM:\n" + Log);
            }
        }
    }

    /// <summary>User plus system CPU time of the server so far, from /proc/PID/stat (Linux).</summary>
    public TimeSpan CpuTime()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A mount point (disk-full test) or a busy file: leave it to the temp cleaner.
        }
    }
}

/// <summary>A raw line client bound to a chosen loopback source address, with optional TLS (certificate not checked: loopback tests).</summary>
public sealed class HostileClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _pending = [];
    private readonly byte[] _buf = new byte[16384];

    private HostileClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public TcpClient Tcp => _tcp;

    public static async Task<HostileClient> ConnectAsync(int port, string from = "127.0.0.1", bool tls = false, int? receiveBuffer = null)
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        if (receiveBuffer is int rb)
        {
            tcp.ReceiveBufferSize = rb;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var c = new HostileClient(tcp);
        if (tls)
        {
            await c.StartTlsAsync();
        }

        return c;
    }

    public async Task StartTlsAsync()
    {
        _pending.Clear();
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cts.Token);
        _stream = ssl;
    }

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    public async Task SendAsync(string text) => await SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendBytesAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>One line without CRLF; null when the server closed (or reset) the connection or nothing came in time.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? wait = null)
    {
        using var cts = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            int lf = _pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = _pending.GetRange(0, lf).ToArray();
                _pending.RemoveRange(0, lf + 1);
                return Encoding.UTF8.GetString(line).TrimEnd('\r');
            }

            int n;
            try
            {
                n = await _stream.ReadAsync(_buf, cts.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _pending.AddRange(_buf.AsSpan(0, n).ToArray());
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns that line (null if closed first).</summary>
    public async Task<string?> ReadUntilAsync(string prefix, TimeSpan? wait = null)
    {
        while (true)
        {
            var line = await ReadLineAsync(wait);
            if (line is null || line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Reads and discards until the server closes; returns how long that took, or null if it stayed open past <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilClosedAsync(TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            while (await _stream.ReadAsync(_buf, cts.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            // Reset: closed too.
        }

        return sw.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
            // Already reset by the server.
        }

        _tcp.Dispose();
    }
}
