using System.CommandLine;
using Postern.Cli;
using Postern.Storage.Accounts;
using static Postern.Cli.CliRunner;

// The command-line contract is DESIGN.md section 3. Every action reports user mistakes as one
// sentence on stderr with exit status 1 (UserError); anything else is a bug and keeps its trace.

var data = new Option<string?>("--data") { Description = "Data folder (default: $POSTERN_DATA, else ./postern-data)", Recursive = true };
var root = new RootCommand("Postern: a mail server (SMTP, IMAP, POP3) that is secure by default.");
root.Options.Add(data);

// ---- init
var hostname = new Option<string>("--hostname") { Description = "The name email programs connect to", Required = true };
var domains = new Option<string[]>("--domain") { Description = "A mail domain to serve (repeatable)", AllowMultipleArgumentsPerToken = false };
var init = new Command("init", "Create the data folder: configuration, a self-signed certificate if none, domains.");
init.Options.Add(hostname);
init.Options.Add(domains);
init.SetAction((r, ct) => Run(async () =>
{
    foreach (var line in await Workspace.InitAsync(DataFolder.Resolve(r.GetValue(data)), r.GetValue(hostname)!, r.GetValue(domains) ?? [], ct))
    {
        Console.WriteLine(line);
    }
}));
root.Subcommands.Add(init);

// ---- serve
var portOffset = new Option<int>("--port-offset") { Description = "Add N to every port (e.g. 10000 to run without root)" };
var bind = new Option<string?>("--bind") { Description = "Listen on this address only, for every endpoint" };
var serve = new Command("serve", "Run every endpoint; prints the settings for email programs. Extra --Key:Sub=value switches override the configuration.");
serve.Options.Add(portOffset);
serve.Options.Add(bind);
serve.TreatUnmatchedTokensAsErrors = false;
serve.SetAction((r, ct) => Run(async () =>
{
    var switches = r.UnmatchedTokens.ToList();
    var bad = switches.FirstOrDefault(s => !s.StartsWith("--", StringComparison.Ordinal) || !s.Contains(':'));
    if (bad is not null)
    {
        throw new UserError($"Unknown argument '{bad}' (configuration overrides look like --Endpoints:imaps:Port=1993).");
    }

    int offset = r.GetValue(portOffset);
    if (offset is < 0 or > 64000)
    {
        throw new UserError("--port-offset must be between 0 and 64000.");
    }

    return await ServeCommand.RunAsync(DataFolder.Resolve(r.GetValue(data)), offset, r.GetValue(bind), switches, ct);
}));
root.Subcommands.Add(serve);

// ---- settings
var settingsTarget = new Argument<string>("address-or-domain") { Description = "An address (alice@example.org) or a domain" };
var clientOption = new Option<string?>("--client") { Description = "One email program, e.g. thunderbird, outlook, apple-mail" };
var jsonOption = new Option<bool>("--json") { Description = "Machine-readable output" };
var settingsOffset = new Option<int>("--port-offset") { Description = "The --port-offset the server runs with" };
var settings = new Command("settings", "What to type into each email program for an address or domain.") { settingsTarget };
settings.Options.Add(clientOption);
settings.Options.Add(jsonOption);
settings.Options.Add(settingsOffset);
settings.SetAction((r, ct) => Run(() => SettingsCommand.RunAsync(
    DataFolder.Resolve(r.GetValue(data)), r.GetValue(settingsTarget)!, r.GetValue(clientOption), r.GetValue(jsonOption), r.GetValue(settingsOffset), ct)));
root.Subcommands.Add(settings);

// ---- check
var checkHost = new Argument<string>("host") { Description = "The mail server to check (any server, not only Postern)" };
var checkOffset = new Option<int>("--port-offset") { Description = "Add N to every port probed (HTTP and HTTPS included)" };
var checkServerName = new Option<string?>("--servername") { Description = "The name certificates must be valid for (default: HOST)" };
var checkCa = new Option<string?>("--ca") { Description = "A PEM file with one more trusted certificate (besides the system store)" };
var checkJson = new Option<bool>("--json") { Description = "Machine-readable output" };
var check = new Command("check", "Diagnose a mail server from the client side: ports, TLS, certificates, STARTTLS, autoconfig, and what to choose in each email program.") { checkHost };
check.Options.Add(checkOffset);
check.Options.Add(checkServerName);
check.Options.Add(checkCa);
check.Options.Add(checkJson);
check.SetAction((r, ct) => Run(() => Postern.Check.CheckRunner.RunAsync(
    r.GetValue(checkHost)!, r.GetValue(checkOffset), r.GetValue(checkServerName), r.GetValue(checkCa), r.GetValue(checkJson), ct)));
root.Subcommands.Add(check);

// ---- dns
var dnsDomain = new Argument<string>("domain") { Description = "A domain served here" };
var dns = new Command("dns", "Print the DNS records a domain should publish (zone-file form).") { dnsDomain };
dns.SetAction((r, ct) => Run(async () =>
{
    string dir = DataFolder.Resolve(r.GetValue(data));
    string d = Names.Domain(r.GetValue(dnsDomain)!);
    await using (var store = await Workspace.OpenForAdminAsync(dir, ct))
    {
        if (!await store.IsLocalDomainAsync(d, ct))
        {
            throw new UserError($"The domain {d} is not served here (see `postern domain list`).");
        }
    }

    var options = Postern.Configuration.ConfigLoader.Bind(Postern.Configuration.ConfigLoader.Build(dir));
    Console.Write(Postern.Settings.DnsRecords.Render(d, options.Hostname, Postern.Configuration.ConfigLoader.ResolveEndpoints(options, 0, null), Postern.Configuration.ConfigLoader.ResolveWebEndpoints(options, 0, null)));
}));
root.Subcommands.Add(dns);

// ---- domain
var domainArg = new Argument<string>("domain") { Description = "Domain name, e.g. example.org" };
var domain = new Command("domain", "Manage the mail domains served here.");
var domainAdd = new Command("add", "Serve mail for a domain.") { domainArg };
domainAdd.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    string d = Names.Domain(r.GetValue(domainArg)!);
    Console.WriteLine(await store.AddDomainAsync(d, ct) ? $"Added domain {d}." : $"Domain {d} was already there.");
}));
var domainList = new Command("list", "List the domains.");
domainList.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    foreach (var d in await store.ListDomainsAsync(ct))
    {
        Console.WriteLine(d);
    }
}));
var domainRemove = new Command("remove", "Stop serving a domain (it must have no users).") { domainArg };
domainRemove.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    string d = Names.Domain(r.GetValue(domainArg)!);
    if (!await Admin(() => store.RemoveDomainAsync(d, ct)))
    {
        throw new UserError($"There is no domain {d}.");
    }

    Console.WriteLine($"Removed domain {d}.");
}));
domain.Subcommands.Add(domainAdd);
domain.Subcommands.Add(domainList);
domain.Subcommands.Add(domainRemove);
root.Subcommands.Add(domain);

// ---- user
var addressArg = new Argument<string>("address") { Description = "Email address, e.g. alice@example.org" };
var user = new Command("user", "Manage users. Passwords are read from standard input, never from the command line.");
var userAdd = new Command("add", "Create a user (password from stdin).") { addressArg };
userAdd.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    string a = Names.Address(r.GetValue(addressArg)!);
    string domainPart = a[(a.LastIndexOf('@') + 1)..];
    if (!await store.IsLocalDomainAsync(domainPart, ct))
    {
        throw new UserError($"The domain {domainPart} is not served here; add it first with: postern domain add {domainPart}");
    }

    if (await store.FindAccountAsync(a, ct) is not null)
    {
        throw new UserError($"The user {a} already exists (use `postern user passwd {a}` to change the password).");
    }

    var (hash, scram) = Workspace.Credentials(DataFolder.Resolve(r.GetValue(data)), PasswordInput.Read(a));
    await Admin(() => store.AddAccountAsync(a, hash, scram, ct));
    Console.WriteLine($"Added user {a} with mailboxes INBOX, Sent, Drafts, Trash, Junk and Archive.");
}));
var userList = new Command("list", "List the users.");
userList.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    foreach (var a in await store.ListAccountsAsync(ct))
    {
        Console.WriteLine(a.Address);
    }
}));
var userRemove = new Command("remove", "Delete a user and all their mail.") { addressArg };
userRemove.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    string a = Names.Address(r.GetValue(addressArg)!);
    if (!await store.RemoveAccountAsync(a, ct))
    {
        throw new UserError($"There is no user {a}.");
    }

    Console.WriteLine($"Removed user {a} and their mail.");
}));
var userPasswd = new Command("passwd", "Set a user's password (from stdin).") { addressArg };
userPasswd.SetAction((r, ct) => Run(async () =>
{
    await using var store = await Workspace.OpenForAdminAsync(DataFolder.Resolve(r.GetValue(data)), ct);
    string a = Names.Address(r.GetValue(addressArg)!);
    if (await store.FindAccountAsync(a, ct) is null)
    {
        throw new UserError($"There is no user {a}.");
    }

    var (hash, scram) = Workspace.Credentials(DataFolder.Resolve(r.GetValue(data)), PasswordInput.Read(a));
    await store.SetPasswordHashAsync(a, hash, scram, ct);
    Console.WriteLine($"Changed the password of {a}.");
}));
user.Subcommands.Add(userAdd);
user.Subcommands.Add(userList);
user.Subcommands.Add(userRemove);
user.Subcommands.Add(userPasswd);
root.Subcommands.Add(user);

var parsed = root.Parse(args);
var invocation = new InvocationConfiguration();
if (parsed.CommandResult.Command == serve)
{
    // serve's signals belong to its host (ServeHost): it drains sessions for as long as that takes
    // and exits 0, where System.CommandLine would force exit status 143 two seconds after SIGTERM.
    invocation.ProcessTerminationTimeout = null;
}

return await parsed.InvokeAsync(invocation);

