using Postern.Configuration;
using Postern.Settings;

namespace Postern.Cli;

/// <summary>`postern settings ADDRESS|DOMAIN [--client NAME] [--json]`: what to type into each email program.</summary>
public static class SettingsCommand
{
    public static async Task<int> RunAsync(string dataDir, string target, string? client, bool json, int portOffset, CancellationToken ct)
    {
        var options = ConfigLoader.Bind(ConfigLoader.Build(dataDir));
        string domain;
        string userName;
        if (target.Contains('@'))
        {
            userName = Names.Address(target);
            domain = userName[(userName.LastIndexOf('@') + 1)..];
        }
        else
        {
            domain = Names.Domain(target);
            userName = $"your full email address (name@{domain})";
        }

        await using (var store = await Workspace.OpenForAdminAsync(dataDir, ct))
        {
            if (!await store.IsLocalDomainAsync(domain, ct))
            {
                throw new UserError($"The domain {domain} is not served here (see `postern domain list`).");
            }
        }

        IReadOnlyList<ClientProgram> programs = ClientCatalog.All;
        if (client is not null)
        {
            var found = ClientCatalog.Find(client)
                ?? throw new UserError($"No email program called '{client}'; known: {string.Join(", ", ClientCatalog.All.Select(p => p.Id))}.");
            programs = [found];
        }

        var advisor = new SettingsAdvisor(options.Hostname, userName, ConfigLoader.ResolveEndpoints(options, portOffset, bind: null));
        if (json)
        {
            Console.WriteLine(advisor.RenderJson(programs));
        }
        else if (client is not null)
        {
            Console.Write(advisor.RenderFor(programs[0]));
        }
        else
        {
            Console.Write(advisor.RenderTable(programs));
        }

        return 0;
    }
}
