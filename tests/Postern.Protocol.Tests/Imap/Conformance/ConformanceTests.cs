using Xunit;

namespace Postern.Protocol.Tests.Imap.Conformance;

/// <summary>
/// The concurrency rules of issue 3, point 3, as scripts of two interleaved sessions: every
/// untagged and tagged response expected, exactly. One test per script file (*.imaptest).
/// </summary>
public sealed class ConformanceTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Folder, "*.imaptest").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(path));
        }

        return data;
    }

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Imap", "Conformance");

    [Theory]
    [MemberData(nameof(Scripts))]
    public Task Script(string name) => TranscriptRunner.RunAsync(File.ReadAllText(Path.Combine(Folder, name + ".imaptest")));

    [Fact]
    public void There_are_scripts_to_run() => Assert.True(Scripts().Count >= 7, "The *.imaptest files were not copied to the output folder.");

    [Theory]
    [InlineData("* 3 EXISTS", "* 3 EXISTS", true)]
    [InlineData("* 3 EXISTS", "* 4 EXISTS", false)]
    [InlineData("a OK {*}", "a OK NOOP completed", true)]
    [InlineData("a OK {*}", "b OK NOOP completed", false)]
    [InlineData("* OK [UIDVALIDITY {$v}] {*}", "* OK [UIDVALIDITY 77] UIDs valid", true)]
    public void Patterns_match_whole_lines(string pattern, string line, bool expected) =>
        Assert.Equal(expected, TranscriptRunner.Matches(pattern, line, []));

    [Fact]
    public void A_captured_value_must_repeat()
    {
        var captures = new Dictionary<string, string>();
        Assert.True(TranscriptRunner.Matches("UIDVALIDITY {$v}", "UIDVALIDITY 12", captures));
        Assert.True(TranscriptRunner.Matches("X {$v}", "X 12", captures));
        Assert.False(TranscriptRunner.Matches("X {$v}", "X 13", captures));
    }
}
