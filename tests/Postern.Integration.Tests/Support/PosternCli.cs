namespace Postern.Integration.Tests.Support;

/// <summary>Runs the real postern executable (the build output of src/Postern) as a user would.</summary>
public static class PosternCli
{
    /// <summary>postern.dll next to the tests (copied by the project reference).</summary>
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
