namespace Postern.Integration.Tests.Support;

/// <summary>The external programs the tests drive (openssl, curl, swaks, mbsync, ...).</summary>
/// <remarks>Here and not in Postern.Testing beside ProcessRunner because skipping is xunit's (Xunit.SkippableFact).</remarks>
public static class ExternalClient
{
    /// <summary>
    /// The path of an external client. Missing: the test is skipped, saying so, unless
    /// POSTERN_REQUIRE_CLIENTS=1 (as in CI), where a missing client is a failure.
    /// </summary>
    public static string Require(string name)
    {
        var path = ProcessRunner.Which(name);
        if (path is not null)
        {
            return path;
        }

        Missing($"external client '{name}'");
        return name;
    }

    /// <summary>
    /// Skips the test because <paramref name="what"/> is not installed, or fails it under
    /// POSTERN_REQUIRE_CLIENTS=1 (as in CI, where .ci/run installs everything).
    /// </summary>
    public static void Missing(string what)
    {
        if (Environment.GetEnvironmentVariable("POSTERN_REQUIRE_CLIENTS") == "1")
        {
            throw new InvalidOperationException($"The {what} is missing and POSTERN_REQUIRE_CLIENTS=1; .ci/run should install it.");
        }

        Skip.If(true, $"skipped: {what} is not installed");
    }
}
