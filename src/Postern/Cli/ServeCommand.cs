using Microsoft.Extensions.Hosting;
using Postern.Configuration;
using Postern.Hosting;

namespace Postern.Cli;

/// <summary>`postern serve`: runs every endpoint on the Generic Host until SIGINT/SIGTERM (ServeHost).</summary>
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

        // Configuration mistakes surface here, as one sentence (UserError), before any host exists.
        var config = ConfigLoader.Build(dataDir, switches);
        var options = ConfigLoader.Bind(config);
        var endpoints = ConfigLoader.ResolveEndpoints(options, portOffset, bind);
        var tls = Workspace.LoadTls(dataDir, options);

        var host = ServeHost.Build(new ServeSetup(dataDir, options, endpoints, tls), config);
        // The host's services are async-disposable only (the store, the listeners): dispose it so.
        await using ((IAsyncDisposable)host)
        {
            // A start that fails (a port in use: UserError from MailService) throws from here.
            await host.StartAsync(ct);
            await host.WaitForShutdownAsync(ct);
        }

        return 0;
    }
}
