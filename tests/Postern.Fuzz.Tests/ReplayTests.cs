namespace Postern.Fuzz.Tests;

/// <summary>
/// Every seed and every minimised crash, run through its target as afl++ runs it (uninstrumented).
/// A regression input fails here until its fix is in; a corpus input fails if a change makes an
/// ordinary transcript crash or hang.
/// </summary>
public class ReplayTests : IClassFixture<ReplayTests.WarmTargets>
{
    /// <summary>Every target run once before the timed replays (see <see cref="FuzzTargets.WarmUp"/>).</summary>
    public sealed class WarmTargets
    {
        public WarmTargets()
        {
            foreach (var target in FuzzTargets.All)
            {
                FuzzTargets.WarmUp(target);
            }
        }
    }

    /// <summary>
    /// afl++ calls an input over 1 s a hang. Here the bound is 5 s: this runs inside the full test
    /// run, beside other test assemblies on a 2-core CI machine, where a session input that takes
    /// 50 ms alone can take ten times longer; a real hang never ends, and a pathological input
    /// (seconds of work) still fails.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (target, path) in FuzzInputs.All())
        {
            data.Add(target, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Input_runs_without_crash_or_hang(string target, string path)
    {
        var fuzzTarget = FuzzTargets.Find(target);
        Assert.True(fuzzTarget is not null, $"{path} is in the folder of '{target}', which is no fuzz target.");
        byte[] input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, path));
        var run = Task.Run(() => fuzzTarget.Run(input));
        Assert.True(await Task.WhenAny(run, Task.Delay(Bound)) == run, $"{path} took over {Bound.TotalSeconds} s in target {target} (afl++ counts over 1 s as a hang).");
        await run;
    }
}
