using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Postern.Hosting;

/// <summary>
/// `serve` on the .NET Generic Host: configuration, logging, the service lifetime (signals, and
/// readiness under systemd) and the composition of the mail and web endpoints.
/// </summary>
public static class ServeHost
{
    /// <summary>
    /// Builds, but does not start, the host. <paramref name="configuration"/> is Postern's own
    /// (defaults, postern.json, POSTERN_ variables, --Section:Key switches; see ConfigLoader): the
    /// empty builder adds no appsettings.json, DOTNET_ variables or command line of its own.
    /// </summary>
    public static IHost Build(ServeSetup setup, IConfiguration configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "Postern",
            ContentRootPath = Path.GetFullPath(setup.DataDir),
        });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, configuration);
        AddLifetime(builder.Services);

        builder.Services.AddSingleton(setup);
        builder.Services.AddSingleton<MailService>();
        builder.Services.AddHostedService(s => s.GetRequiredService<MailService>());
        builder.Services.AddHostedService<SettingsBanner>();
        return builder.Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        // The Logging section of postern.json (or --Logging:LogLevel:Default=Debug) sets levels.
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        // Logs go to stderr so stdout carries only what a person needs: the settings table.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // The lifetime's "Application started. Hosting environment: ...; Content root path: ..."
        // says nothing the settings table does not; warnings and worse still pass.
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // The host logs a failed start ("Hosting failed to start") with a stack trace, then
        // rethrows the same exception to ServeCommand, which reports a user's mistake (a port in
        // use) as one sentence and lets a bug keep its trace: nothing is lost by dropping it here.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }

    /// <summary>
    /// Signals and readiness. In a terminal: the console lifetime (SIGINT, SIGTERM and SIGQUIT
    /// stop gracefully). Under systemd: the systemd lifetime, which sends READY=1 once every
    /// hosted service has started (so after every endpoint listens) and STOPPING=1 at SIGTERM,
    /// and the journal's log format (priority prefixes, no timestamps: the journal adds its own).
    /// </summary>
    private static void AddLifetime(IServiceCollection services)
    {
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        // Adds nothing unless systemd is our parent (or we are PID 1 with NOTIFY_SOCKET).
        services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            // sd_notify(3) needs nothing but NOTIFY_SOCKET, while the library also wants systemd as
            // the parent process, which it is not when ExecStart= goes through a wrapper that does
            // not exec, or when /proc hides the parent (ProtectProc=invisible). Without READY=1 a
            // Type=notify unit is killed at TimeoutStartSec, so notify whenever we are asked to.
            // The log format stays as it is: NOTIFY_SOCKET says nothing about where stderr goes.
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
    }
}
