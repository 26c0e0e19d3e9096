using System.Security.Cryptography;
using Postern.Cli;

namespace Postern.Check;

/// <summary>
/// `postern check HOST`: probes the eight mail endpoints and the autoconfig URLs concurrently,
/// each under its own bounded waits and all under one deadline, then reports. Only HOST is
/// ever contacted.
/// </summary>
public static class CheckRunner
{
    /// <summary>The whole run ends by then, however slowly the server answers.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(25);

    public static async Task<int> RunAsync(string host, int portOffset, string? serverName, string? caFile, bool json, CancellationToken ct)
    {
        host = host.Trim();
        if (host.Length == 0 || host.Contains('/') || host.Contains(' '))
        {
            throw new UserError($"'{host}' is not a host name or address.");
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (portOffset is < 0 or > 64000)
        {
            throw new UserError("--port-offset must be between 0 and 64000.");
        }

        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? anchors = null;
        if (caFile is not null)
        {
            if (!File.Exists(caFile))
            {
                throw new UserError($"The --ca file {caFile} does not exist.");
            }

            try
            {
                anchors = TlsInspector.LoadAnchors(caFile);
            }
            catch (Exception e) when (e is CryptographicException or InvalidDataException)
            {
                throw new UserError($"The --ca file {caFile} holds no usable PEM certificate.");
            }
        }

        var report = await CheckAsync(host, portOffset, serverName ?? host, anchors, ProbeTimeouts.Default, line => Console.Error.WriteLine(line), ct);
        Console.Write(json ? CheckRenderer.Json(report) + "\n" : CheckRenderer.Text(report));
        return report.ExitCode;
    }

    public static async Task<CheckReport> CheckAsync(string host, int portOffset, string serverName, System.Security.Cryptography.X509Certificates.X509Certificate2Collection? anchors, ProbeTimeouts timeouts, Action<string> progress, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        var inspector = new TlsInspector(anchors, timeouts.Handshake);
        var probe = new EndpointProbe(host, serverName, inspector, timeouts);
        var progressLock = new object();
        progress($"Checking {host} (port offset {portOffset}): {CheckTarget.All.Count} mail endpoints and autoconfig ...");
        var endpointTasks = CheckTarget.All.Select(async t =>
        {
            var r = await probe.RunAsync(t, t.StandardPort + portOffset, deadline.Token);
            lock (progressLock)
            {
                progress(CheckRenderer.Progress(r));
            }

            return r;
        }).ToList();
        var autoconfig = new AutoconfigProbe(host, serverName, portOffset, timeouts.Http, inspector).RunAsync(deadline.Token);
        var report = new CheckReport
        {
            Host = host,
            ServerName = serverName,
            PortOffset = portOffset,
            Endpoints = [.. await Task.WhenAll(endpointTasks)],
            Autoconfig = await autoconfig,
        };
        CheckVerdict.Conclude(report);
        return report;
    }
}
