using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit.Net.Imap;
using MailKit.Security;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests;

/// <summary>The command line as a newcomer and an administrator meet it (DESIGN.md section 3).</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "postern-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public CliTests() => Directory.CreateDirectory(_dir);

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

    [Fact]
    public async Task Serve_on_an_empty_folder_sets_everything_up_and_a_real_client_logs_in_with_the_printed_password()
    {
        int offset = ServerFixture.FindFreeOffset();
        // No --data and no POSTERN_DATA: the default ./postern-data in the working directory.
        await using var serve = await ServeProcess.StartAsync(
            ["serve", "--port-offset", offset.ToString(), "--bind", "127.0.0.1"],
            workingDirectory: _dir,
            env: new Dictionary<string, string?> { ["POSTERN_DATA"] = null });
        string output = serve.StdOut;
        var m = Regex.Match(output, @"Created the first user (\S+) with password (\S+)");
        Assert.True(m.Success, output);
        string certPath = Path.Combine(_dir, "postern-data", "tls", "cert.pem");
        Assert.True(File.Exists(certPath), "no certificate at " + certPath);
        Assert.True(File.Exists(Path.Combine(_dir, "postern-data", "tls", "key.pem")));

        // The settings table: each endpoint with the labels Thunderbird, Outlook and Apple Mail use.
        Assert.Contains("Thunderbird", output);
        Assert.Contains("Outlook", output);
        Assert.Contains("Apple Mail", output);
        Assert.Matches($@"IMAP \(incoming\)\s+localhost\s+{993 + offset}\s+implicit TLS\s+SSL/TLS", output);
        Assert.Matches($@"IMAP \(incoming\)\s+localhost\s+{143 + offset}\s+STARTTLS\s+STARTTLS", output);
        Assert.Matches($@"POP3 \(incoming\)\s+localhost\s+{995 + offset}\s+implicit TLS", output);
        Assert.Matches($@"POP3 \(incoming\)\s+localhost\s+{110 + offset}\s+STARTTLS", output);
        Assert.Matches($@"SMTP \(outgoing\)\s+localhost\s+{465 + offset}\s+implicit TLS", output);
        Assert.Matches($@"SMTP \(outgoing\)\s+localhost\s+{587 + offset}\s+STARTTLS", output);
        Assert.Matches($@"SMTP \(outgoing\)\s+localhost\s+{26 + offset}\s+STARTTLS", output);
        Assert.Matches($@"SMTP \(other servers\)\s+localhost\s+{25 + offset}\s+STARTTLS", output);

        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certPath));
        using var imap = new ImapClient
        {
            Timeout = 20_000,
            ServerCertificateValidationCallback = (_, c, _, e) =>
                c is not null && !e.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) && c.GetCertHashString() == cert.GetCertHashString(),
        };
        await imap.ConnectAsync("localhost", 993 + offset, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(m.Groups[1].Value, m.Groups[2].Value);
        Assert.True(imap.IsAuthenticated);
        await imap.DisconnectAsync(true);

        Assert.Equal(0, await serve.StopAsync());
    }

    [Fact]
    public async Task Environment_variables_and_switches_override_the_configuration_file()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        int offset = ServerFixture.FindFreeOffset();
        await using var serve = await ServeProcess.StartAsync(
            ["--data", _dir, "serve", "--port-offset", offset.ToString(), "--bind", "127.0.0.1", "--Endpoints:imaps:Port=994", "--Endpoints:pop3:Mode=Implicit"],
            env: new Dictionary<string, string?> { ["POSTERN_Endpoints__smtp__Enabled"] = "false", ["POSTERN_Hostname"] = "mail.example.test" });
        string output = serve.StdOut;
        Assert.Contains("listening on 7 endpoints", output);
        Assert.Matches($@"IMAP \(incoming\)\s+mail\.example\.test\s+{994 + offset}\s+implicit TLS", output);
        Assert.Matches($@"POP3 \(incoming\)\s+mail\.example\.test\s+{110 + offset}\s+implicit TLS", output);
        Assert.DoesNotContain("other servers", output);

        // And the server really listens as configured: implicit TLS on the moved port.
        using var imap = new ImapClient { Timeout = 20_000, ServerCertificateValidationCallback = (_, c, _, _) => c is not null };
        await imap.ConnectAsync("127.0.0.1", 994 + offset, SecureSocketOptions.SslOnConnect);
        Assert.True(imap.IsSecure);
        await imap.DisconnectAsync(true);
        using var tcp = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(IPAddress.Loopback, 25 + offset));
        Assert.Equal(0, await serve.StopAsync());
    }

    [Fact]
    public async Task A_bad_configuration_value_is_one_clear_sentence()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost")).ExitCode);
        var r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", "30000", "--Endpoints:imaps:Protocol=gopher");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("gopher", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
        r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", "30000", "--Endpoints:imaps:Mode=SSL");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Mode 'SSL'", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
        r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", "30000", "--Endpoints:pop3s:Port=99999");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("99999", r.StdErr);
        r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", "30000", "--Limits:MaxConnections=lots");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Limits", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_sentence_naming_port_offset()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
        int offset = ServerFixture.FindFreeOffset();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 993 + offset));
        squatter.Listen();
        var r = await PosternCli.RunAsync(_dir, null, "serve", "--port-offset", offset.ToString(), "--bind", "127.0.0.1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"port {993 + offset}", r.StdErr);
        Assert.Contains("--port-offset", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [SkippableFact]
    public async Task A_privileged_port_without_root_is_one_clear_sentence_naming_port_offset()
    {
        ProcessResult r;
        if (Environment.UserName == "root")
        {
            // Run as nobody, as a newcomer without root would, with a data folder nobody owns.
            var setpriv = ExternalClient.Require("setpriv");
            Skip.If(int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start").Trim()) <= 25, "skipped: this kernel lets anyone bind ports below 1024");
            string data = Path.Combine(_dir, "nobody-data");
            Directory.CreateDirectory(data);
            // The build output may sit under a folder only root can enter (e.g. /root): give nobody a copy.
            string app = Path.Combine(_dir, "app");
            Assert.Equal(0, (await ProcessRunner.RunAsync("cp", ["-r", Path.GetDirectoryName(PosternCli.Dll)!, app])).ExitCode);
            Assert.Equal(0, (await ProcessRunner.RunAsync("chmod", ["-R", "a+rX", app])).ExitCode);
            Assert.Equal(0, (await ProcessRunner.RunAsync("chown", ["65534:65534", _dir, data])).ExitCode);
            string dll = Path.Combine(app, Path.GetFileName(PosternCli.Dll));
            Task<ProcessResult> AsNobody(params string[] args) => ProcessRunner.RunAsync(setpriv,
                ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "dotnet", dll, "--data", data, .. args],
                env: new Dictionary<string, string> { ["HOME"] = _dir, ["DOTNET_CLI_HOME"] = _dir });
            var init = await AsNobody("init", "--hostname", "localhost", "--domain", "example.test");
            Assert.True(init.ExitCode == 0, init.ToString());
            r = await AsNobody("serve", "--bind", "127.0.0.1");
        }
        else
        {
            Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "localhost", "--domain", "example.test")).ExitCode);
            r = await PosternCli.RunAsync(_dir, null, "serve", "--bind", "127.0.0.1");
        }

        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains("--port-offset", r.StdErr);
        Assert.Contains("below 1024", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public async Task Domains_and_users_are_managed_with_clear_errors_and_passwords_only_from_stdin()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "mail.example.test")).ExitCode);
        Assert.True(File.Exists(Path.Combine(_dir, "postern.json")));

        var r = await PosternCli.RunAsync(_dir, "long enough password\n", "user", "add", "ann@example.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("domain add example.test", r.StdErr);

        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "domain", "add", "Example.TEST")).ExitCode);
        Assert.Equal("example.test", (await PosternCli.RunAsync(_dir, null, "domain", "list")).StdOut.Trim());
        Assert.Equal(1, (await PosternCli.RunAsync(_dir, null, "domain", "add", "not a domain!")).ExitCode);

        r = await PosternCli.RunAsync(_dir, "short\n", "user", "add", "ann@example.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("too short", r.StdErr);

        Assert.Equal(0, (await PosternCli.RunAsync(_dir, "long enough password\n", "user", "add", "Ann@Example.test")).ExitCode);
        Assert.Equal("ann@example.test", (await PosternCli.RunAsync(_dir, null, "user", "list")).StdOut.Trim());
        r = await PosternCli.RunAsync(_dir, "long enough password\n", "user", "add", "ann@example.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("already exists", r.StdErr);

        // A password on the command line is not an option that exists.
        r = await PosternCli.RunAsync(_dir, null, "user", "passwd", "ann@example.test", "--password", "x");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, "another long password\n", "user", "passwd", "ann@example.test")).ExitCode);

        r = await PosternCli.RunAsync(_dir, null, "domain", "remove", "example.test");
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain("   at ", r.All);

        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "user", "remove", "ann@example.test")).ExitCode);
        Assert.Equal("", (await PosternCli.RunAsync(_dir, null, "user", "list")).StdOut.Trim());
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "domain", "remove", "example.test")).ExitCode);
        r = await PosternCli.RunAsync(_dir, null, "user", "remove", "ann@example.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no user", r.StdErr);
    }

    [Fact]
    public async Task Settings_tell_each_program_what_to_choose_in_its_own_words()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "mail.example.test", "--domain", "example.test")).ExitCode);

        var r = await PosternCli.RunAsync(_dir, null, "settings", "ann@example.test", "--client", "thunderbird");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches("Incoming \\(IMAP\\):\\s+server mail\\.example\\.test\\s+port 993\\s+\"SSL/TLS\"", r.StdOut);
        Assert.Matches("server mail\\.example\\.test\\s+port 143\\s+\"STARTTLS\"", r.StdOut);
        Assert.Matches("Outgoing \\(SMTP\\):\\s+server mail\\.example\\.test\\s+port 465\\s+\"SSL/TLS\"", r.StdOut);
        Assert.Contains("User name: ann@example.test", r.StdOut);
        Assert.DoesNotContain("port 25 ", r.StdOut);

        // Outlook's "TLS" is STARTTLS: the warning says so.
        r = await PosternCli.RunAsync(_dir, null, "settings", "ann@example.test", "--client", "outlook");
        Assert.Contains("'TLS' means STARTTLS", r.StdOut);

        // All programs, one label per mode.
        r = await PosternCli.RunAsync(_dir, null, "settings", "example.test");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Evolution", r.StdOut);
        Assert.Contains("TLS on a dedicated port", r.StdOut);

        r = await PosternCli.RunAsync(_dir, null, "settings", "ann@example.test", "--json", "--port-offset", "10000");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var incoming = doc.RootElement.GetProperty("incoming").EnumerateArray().ToList();
        Assert.Equal("IMAP", incoming[0].GetProperty("protocol").GetString());
        Assert.Equal(10993, incoming[0].GetProperty("port").GetInt32());
        Assert.Equal("implicit-tls", incoming[0].GetProperty("security").GetString());
        Assert.True(incoming[0].GetProperty("preferred").GetBoolean());
        var all = incoming.Concat(doc.RootElement.GetProperty("outgoing").EnumerateArray()).ToList();
        Assert.All(all, c => Assert.Contains(c.GetProperty("security").GetString(), new[] { "implicit-tls", "starttls" }));
        Assert.DoesNotContain(all, c => c.GetProperty("port").GetInt32() == 10025);
        Assert.Equal(13, doc.RootElement.GetProperty("clients").GetArrayLength());

        r = await PosternCli.RunAsync(_dir, null, "settings", "ann@example.test", "--client", "pigeon-mail");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("thunderbird", r.StdErr);
        r = await PosternCli.RunAsync(_dir, null, "settings", "ann@elsewhere.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not served here", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public async Task Dns_prints_MX_and_SRV_records_with_implicit_TLS_preferred()
    {
        Assert.Equal(0, (await PosternCli.RunAsync(_dir, null, "init", "--hostname", "mail.example.test", "--domain", "example.test")).ExitCode);
        var r = await PosternCli.RunAsync(_dir, null, "dns", "example.test");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"(?m)^example\.test\.\s+\d+ IN MX\s+10 mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^_submissions\._tcp\.example\.test\.\s+\d+ IN SRV\s+0 1 465 mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^_submission\._tcp\.example\.test\.\s+\d+ IN SRV\s+10 1 587 mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^_imaps\._tcp\.example\.test\.\s+\d+ IN SRV\s+0 1 993 ", r.StdOut);
        Assert.Matches(@"(?m)^_imap\._tcp\.example\.test\.\s+\d+ IN SRV\s+10 1 143 ", r.StdOut);
        Assert.Matches(@"(?m)^_pop3s\._tcp\.example\.test\.\s+\d+ IN SRV\s+\d+ 1 995 ", r.StdOut);
        Assert.DoesNotContain(" 26 ", r.StdOut);
        // Automatic set-up names, served by the HTTPS endpoint.
        Assert.Matches(@"(?m)^autoconfig\.example\.test\.\s+\d+ IN CNAME mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^autodiscover\.example\.test\.\s+\d+ IN CNAME mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^_autodiscover\._tcp\.example\.test\.\s+\d+ IN SRV\s+0 1 443 mail\.example\.test\.$", r.StdOut);
        Assert.Matches(@"(?m)^_ua-auto-config\.example\.test\.\s+\d+ IN TXT\s+""v=UAAC1; a=sha256; d=[A-Za-z0-9+/]{43}=""$", r.StdOut);

        r = await PosternCli.RunAsync(_dir, null, "dns", "elsewhere.test");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not served here", r.StdErr);
    }

    [Fact]
    public async Task Admin_commands_on_a_missing_data_folder_say_what_to_do()
    {
        var r = await PosternCli.RunAsync(Path.Combine(_dir, "nothing-here"), null, "user", "list");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("postern init", r.StdErr);
        Assert.DoesNotContain("   at ", r.All);
    }
}
