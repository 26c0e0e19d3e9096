using System.Text.Json;
using Postern.Integration.Tests.Support;

namespace Postern.Integration.Tests.Check;

/// <summary>Runs the real `postern check ... --json` and parses its report.</summary>
public static class CheckCli
{
    public static async Task<(ProcessResult Result, JsonElement Report)> RunJsonAsync(params string[] args)
    {
        var r = await RunAsync([.. args, "--json"]);
        JsonElement report;
        try
        {
            report = JsonDocument.Parse(r.StdOut).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"check --json did not print JSON ({e.Message}).\n{r}");
        }

        return (r, report);
    }

    /// <summary>`postern check ARGS`; the data folder is never touched by check, so a non-existent one is given.</summary>
    public static Task<ProcessResult> RunAsync(params string[] args) =>
        PosternCli.RunAsync(Path.Combine(Path.GetTempPath(), "postern-check-unused"), null, ["check", .. args]);

    public static JsonElement Endpoint(JsonElement report, string name) =>
        report.GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    public static IEnumerable<string> Codes(JsonElement endpoint) =>
        endpoint.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!);
}
