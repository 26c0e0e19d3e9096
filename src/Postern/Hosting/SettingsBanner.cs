using Microsoft.Extensions.Hosting;
using Postern.Configuration;
using Postern.Settings;

namespace Postern.Hosting;

/// <summary>
/// Prints what a person needs on stdout once every endpoint listens: the settings table for email
/// programs, the settings-page address and "Press Ctrl+C to stop." (the line scripts and the
/// integration tests wait for). Logs go to stderr, so stdout carries only this. Registered after
/// <see cref="MailService"/>: the host starts services in order and stops them in reverse, so the
/// table follows the bind and "Stopping." precedes the drain.
/// </summary>
internal sealed class SettingsBanner(ServeSetup setup, MailService mail) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = setup.Options;
        var accounts = await mail.Store.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Postern is listening on {setup.Endpoints.Count} endpoints (data: {setup.DataDir}).");
        Console.WriteLine();
        Console.Write(SettingsTable.Render(options.Hostname, setup.Endpoints, accounts.FirstOrDefault()?.Address));
        Console.WriteLine();
        // The page and the autoconfig documents explain the same settings to users.
        foreach (var web in ConfigLoader.ResolveWebEndpoints(options, options.AppliedPortOffset, options.AppliedBind).Where(w => w.IsHttps))
        {
            Console.WriteLine($"Settings page for users: https://{options.Hostname}{(web.Port == 443 ? "" : ":" + web.Port)}/");
            Console.WriteLine();
        }

        Console.WriteLine("Press Ctrl+C to stop.");
        Console.Out.Flush();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine("Stopping.");
        Console.Out.Flush();
        return Task.CompletedTask;
    }
}
