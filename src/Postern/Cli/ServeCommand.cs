using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Postern.Configuration;
using Postern.Hosting;
using Postern.Net;
using Postern.Settings;

namespace Postern.Cli;

/// <summary>`postern serve`: runs every endpoint until SIGINT/SIGTERM.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string dataDir, int portOffset, string? bind, IReadOnlyList<string> switches, CancellationToken ct)
    {
        if (!DataFolder.IsInitialised(dataDir))
        {
            Console.WriteLine($"No Postern data folder at {dataDir} yet: setting one up.");
            foreach (var line in await Workspace.QuickStartAsync(dataDir, ct))
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
        }

        var config = ConfigLoader.Build(dataDir, switches);
        var options = ConfigLoader.Bind(config);
        var endpoints = ConfigLoader.ResolveEndpoints(options, portOffset, bind);
        var tls = Workspace.LoadTls(dataDir, options);

        using var logs = LoggerFactory.Create(b =>
        {
            b.AddConfiguration(config.GetSection("Logging"));
            b.SetMinimumLevel(LogLevel.Information);
            // Logs go to stderr so stdout carries only what a person needs: the settings table.
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            });
            b.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });

        await using var store = await Workspace.OpenStoreAsync(dataDir, logs.CreateLogger("Postern.Storage"), ct);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var reg = ct.Register(() => stop.TrySetResult());

        MailServer server;
        try
        {
            server = await MailServer.StartAsync(endpoints, options, store, tls, logs);
        }
        catch (EndpointBindException e)
        {
            throw new UserError(e.Message);
        }

        await using (server)
        {
            var accounts = await store.ListAccountsAsync(ct);
            Console.WriteLine($"Postern is listening on {endpoints.Count} endpoints (data: {dataDir}).");
            Console.WriteLine();
            Console.Write(SettingsTable.Render(options.Hostname, endpoints, accounts.FirstOrDefault()?.Address));
            Console.WriteLine();
            // The page and the autoconfig documents explain the same settings to users.
            foreach (var web in Configuration.ConfigLoader.ResolveWebEndpoints(options, options.AppliedPortOffset, options.AppliedBind).Where(w => w.IsHttps))
            {
                Console.WriteLine($"Settings page for users: https://{options.Hostname}{(web.Port == 443 ? "" : ":" + web.Port)}/");
                Console.WriteLine();
            }

            Console.WriteLine("Press Ctrl+C to stop.");
            Console.Out.Flush();
            await stop.Task;
            Console.WriteLine("Stopping.");
        }

        return 0;
    }
}
