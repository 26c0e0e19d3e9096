using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Postern.Testing;

/// <summary>
/// `postern serve` as a child process: started (optionally under `ulimit -n`), awaited until it
/// prints its settings, stopped with SIGTERM or killed with SIGKILL. The only place the tests
/// start a server process; <see cref="PosternServer"/> adds the data folder and the port offset.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _all = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What serve printed on stdout so far.</summary>
    public string StdOut
    {
        get
        {
            lock (_all)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Everything printed so far (stdout and stderr, interleaved), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_all)
            {
                return _all.ToString();
            }
        }
    }

    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    /// <summary>
    /// Waits (bounded) until the output contains <paramref name="text"/>; returns at once if it
    /// already does. Driven by the output events, so no polling and no sleeps.
    /// </summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_all)
        {
            if (_all.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waiters.Add((text, seen));
        }

        if (await Task.WhenAny(seen.Task, Task.Delay(timeout)) != seen.Task)
        {
            lock (_all)
            {
                _waiters.RemoveAll(w => w.Seen == seen);
            }

            throw new TimeoutException($"The server did not log \"{text}\" within {timeout.TotalSeconds:0} s. Its output:\n{Log}");
        }
    }

    /// <summary>Appends a line of output and releases the waiters it satisfies; call with _all locked.</summary>
    private void AppendLocked(string line)
    {
        _all.AppendLine(line);
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (line.Contains(_waiters[i].Text, StringComparison.Ordinal))
            {
                _waiters[i].Seen.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Starts `dotnet postern.dll ARGS` (or <paramref name="executable"/> ARGS, e.g. the apphost as a
    /// unit file runs it) and waits (bounded) until it prints "Press Ctrl+C".
    /// With <paramref name="fileLimit"/> it runs under `ulimit -n N`.
    /// </summary>
    public static async Task<ServeProcess> StartAsync(IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string?>? env = null, int? fileLimit = null, string? executable = null)
    {
        string program = executable ?? "dotnet";
        // exec keeps the PID: the process measured and killed is the server itself, not the shell.
        var psi = fileLimit is int n
            ? new ProcessStartInfo("sh") { ArgumentList = { "-c", $"ulimit -n {n} && exec \"$@\"", "sh", program } }
            : new ProcessStartInfo(program);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;
        if (executable is null)
        {
            psi.ArgumentList.Add(PosternCli.Dll);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        var serve = new ServeProcess(Process.Start(psi)!);
        serve._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                serve._ready.TrySetException(new InvalidOperationException("postern serve exited before it was ready:\n" + serve.Log));
                return;
            }

            lock (serve._all)
            {
                serve._stdout.AppendLine(e.Data);
                serve.AppendLocked(e.Data);
            }

            if (e.Data.StartsWith("Press Ctrl+C", StringComparison.Ordinal))
            {
                serve._ready.TrySetResult();
            }
        };
        serve._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (serve._all)
                {
                    serve.AppendLocked(e.Data);
                }
            }
        };
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        if (await Task.WhenAny(serve._ready.Task, Task.Delay(TimeSpan.FromSeconds(60))) != serve._ready.Task)
        {
            await serve.DisposeAsync();
            throw new TimeoutException("postern serve was not ready within 60 s:\n" + serve.Log);
        }

        await serve._ready.Task;
        return serve;
    }

    /// <summary>Sends SIGTERM and waits (bounded) for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString()]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException("postern serve did not stop within 15 s of SIGTERM:\n" + Log);
            }
        }

        return _process.ExitCode;
    }

    /// <summary>kill -9: no chance to flush or clean up.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>User plus system CPU time of the server so far, from /proc/PID/stat (Linux).</summary>
    public TimeSpan CpuTime()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
