namespace Postern.Cli;

/// <summary>Finds the data folder: --data, else $POSTERN_DATA, else ./postern-data (DESIGN.md section 3).</summary>
public static class DataFolder
{
    public const string EnvironmentVariable = "POSTERN_DATA";
    public const string DefaultName = "postern-data";

    public static string Resolve(string? option)
    {
        string? chosen = !string.IsNullOrWhiteSpace(option) ? option : Environment.GetEnvironmentVariable(EnvironmentVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(chosen) ? DefaultName : chosen);
    }

    public static string ConfigFile(string dir) => Path.Combine(dir, "postern.json");

    /// <summary>True when the folder holds a Postern configuration (init has run).</summary>
    public static bool IsInitialised(string dir) => File.Exists(ConfigFile(dir));
}
