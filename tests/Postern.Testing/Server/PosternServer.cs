using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Postern.Testing;

/// <summary>
/// A real Postern for tests: a temporary data folder set up with the CLI (init, domain
/// example.test, users), then `postern serve --data DIR --port-offset N --bind 127.0.0.1` plus
/// the test's switches as a child process (<see cref="ServeProcess"/>). It can be stopped,
/// killed with SIGKILL and started again on the same folder and ports, or run under `ulimit -n`.
/// The suite's shared server (ServerFixture in Integration.Tests) is one of these too.
/// </summary>
public class PosternServer : IAsyncDisposable
{
    public const string Domain = "example.test";
    public const string Password = "correct horse battery";

    /// <summary>The users a server gets unless the test names others (all with <see cref="Password"/>).</summary>
    public static readonly IReadOnlyList<string> StandardUsers = ["alice", "bob", "carol", "dave", "erin"];

    private ServeProcess? _serve;
    private X509Certificate2? _certificate;
    private bool _disposed;

    /// <param name="dataDir">The data folder (created by init); default a new folder under the temp directory.</param>
    public PosternServer(string? dataDir = null) =>
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "postern-it-" + Guid.NewGuid().ToString("N")[..8]);

    public string DataDir { get; }

    /// <summary>Added to every standard port (993 listens on 993 + Offset); chosen by <see cref="InitAsync"/>.</summary>
    public int Offset { get; private set; }

    public string Host => "127.0.0.1";

    public string TlsDir => Path.Combine(DataDir, "tls");

    /// <summary>The default certificate init generated (for localhost).</summary>
    public string CertPath => Path.Combine(TlsDir, "cert.pem");

    /// <summary>The certificate init generated, as loaded after init (a test that replaces the file changes the server's, not this).</summary>
    public X509Certificate2 Certificate => _certificate ?? throw new InvalidOperationException("InitAsync has not run.");

    /// <summary>The running (or last) serve process.</summary>
    public ServeProcess Serve => _serve ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>What the server printed so far (stdout and stderr), for failure messages.</summary>
    public string Log => _serve?.Log ?? "";

    public bool HasExited => _serve is null || _serve.HasExited;

    public int Pid => Serve.Pid;

    public int Port(int standardPort) => standardPort + Offset;

    public static string User(string local) => $"{local}@{Domain}";

    /// <summary>Creates and starts a server in one step: <see cref="InitAsync"/>, then <see cref="StartAsync"/>.</summary>
    public static async Task<PosternServer> StartNewAsync(IEnumerable<string>? switches = null, IEnumerable<string>? users = null)
    {
        var server = new PosternServer();
        try
        {
            await server.InitAsync(users);
            await server.StartAsync(switches);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sets up the data folder: `postern init`, then `user add` for each of <paramref name="users"/>
    /// (local parts; default <see cref="StandardUsers"/>); picks a free port offset.
    /// </summary>
    public async Task InitAsync(IEnumerable<string>? users = null)
    {
        var r = await PosternCli.RunAsync(DataDir, null, "init", "--hostname", "localhost", "--domain", Domain);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("postern init failed: " + r);
        }

        foreach (var u in users ?? StandardUsers)
        {
            r = await PosternCli.RunAsync(DataDir, Password + "\n", "user", "add", User(u));
            if (r.ExitCode != 0)
            {
                throw new InvalidOperationException($"postern user add {User(u)} failed: {r}");
            }
        }

        _certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(CertPath));
        Offset = FindFreeOffset();
    }

    /// <summary>
    /// Starts serve with <paramref name="switches"/> (e.g. --Limits:WriteTimeout=00:00:02) and
    /// waits until it is ready. A server still running is killed first, as for a restart after a crash.
    /// </summary>
    public async Task StartAsync(IEnumerable<string>? switches = null, int? fileLimit = null)
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
            _serve = null;
        }

        // Loopback only; tests that connect from 127.0.0.2 and other 127/8 addresses reach it too.
        _serve = await ServeProcess.StartAsync(
            ["--data", DataDir, "serve", "--port-offset", Offset.ToString(CultureInfo.InvariantCulture), "--bind", Host, .. switches ?? []],
            fileLimit: fileLimit);
    }

    /// <summary>Waits (bounded, driven by the output) until the server's output contains <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan? timeout = null) => Serve.WaitForLogAsync(text, timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>SIGTERM and a bounded wait for a clean exit; returns the exit code.</summary>
    public Task<int> StopAsync() => Serve.StopAsync();

    /// <summary>kill -9: no chance to flush or clean up.</summary>
    public Task KillAsync() => _serve?.KillAsync() ?? Task.CompletedTask;

    /// <summary>User plus system CPU time the server has used so far (Linux).</summary>
    public TimeSpan CpuTime() => Serve.CpuTime();

    /// <summary>A port offset where all the standard ports are free on 127.0.0.1 right now.</summary>
    public static int FindFreeOffset()
    {
        int[] ports = [25, 26, 80, 110, 143, 443, 465, 587, 993, 995];
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int offset = Random.Shared.Next(20, 600) * 100;
            var sockets = new List<Socket>();
            try
            {
                foreach (var p in ports)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, p + offset));
                }

                return offset;
            }
            catch (SocketException)
            {
                // Taken: try another offset.
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("No free port offset found.");
    }

    /// <summary>Accepts exactly the certificate this server generated, valid for the name used (a TLS client's validation callback).</summary>
    public bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(presented);
    }

    /// <summary>Stops the server (SIGTERM: it should stop cleanly; killed and reported if it does not) and deletes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (_serve is not null)
            {
                await _serve.StopAsync();
            }
        }
        finally
        {
            if (_serve is not null)
            {
                await _serve.DisposeAsync();
            }

            _certificate?.Dispose();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A mount point (disk-full test) or a busy file: test data only, left to the temp cleaner.
            }
        }
    }
}
