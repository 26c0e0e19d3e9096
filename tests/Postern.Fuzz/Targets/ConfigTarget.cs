using Postern.Cli;
using Postern.Configuration;

namespace Postern.Fuzz.Targets;

/// <summary>
/// The configuration loader: the input is written as postern.json in a data folder and read as
/// every command reads it (Build, Bind, then the endpoint resolution serve does). A
/// <see cref="UserError"/> is the documented answer to a bad file (one sentence on stderr); any
/// other exception would reach the user as a stack trace, and is a crash.
/// </summary>
public sealed class ConfigTarget : IFuzzTarget
{
    private static readonly Lazy<string> Folder = new(() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"postern-fuzz-config-{Environment.ProcessId}")).FullName);

    public string Name => "config";

    public void Run(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(DataFolder.ConfigFile(Folder.Value), input.ToArray());
        try
        {
            var options = ConfigLoader.Bind(ConfigLoader.Build(Folder.Value));
            ConfigLoader.ResolveEndpoints(options, 0, null);
            ConfigLoader.ResolveWebEndpoints(options, 0, null);
        }
        catch (UserError)
        {
            // The documented rejection.
        }
    }
}
