namespace Postern.Testing;

/// <summary>Runs the real postern executable (the build output of src/Postern) as a user would.</summary>
public static class PosternCli
{
    /// <summary>postern.dll next to the test assembly (copied there by the test project's reference to src/Postern).</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "postern.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException("postern.dll is not next to the test assembly; build the solution first.", path);
            }

            return path;
        }
    }

    public static Task<ProcessResult> RunAsync(string dataDir, string? stdin, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, "--data", dataDir, .. args], stdin, TimeSpan.FromSeconds(60));
}
