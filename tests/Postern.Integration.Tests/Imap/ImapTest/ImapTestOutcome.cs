using System.Text.RegularExpressions;

namespace Postern.Integration.Tests.Imap.ImapTest;

public enum ImapTestVerdict
{
    Pass,
    Fail,
    Skip,
}

/// <summary>
/// What one imaptest run of one script says, read from its summary line
/// (<c>N test groups: F failed, S skipped due to missing capabilities</c>), with the same rule as
/// the suite's run-each.sh: a failed group, a non-zero exit or a missing summary is a failure; a
/// skipped group (and none failed) is a skip.
/// </summary>
public sealed partial record ImapTestOutcome(ImapTestVerdict Verdict, string Why)
{
    public static ImapTestOutcome Read(int exitCode, string output)
    {
        var summaries = Summary().Matches(output);
        if (summaries.Count == 0)
        {
            return new(ImapTestVerdict.Fail, $"imaptest printed no summary (exit {exitCode})");
        }

        var last = summaries[^1];
        int failed = int.Parse(last.Groups["failed"].Value);
        int skipped = int.Parse(last.Groups["skipped"].Value);
        if (exitCode != 0 || failed != 0)
        {
            return new(ImapTestVerdict.Fail, $"{last.Value.Trim()} (exit {exitCode})");
        }

        return skipped != 0
            ? new(ImapTestVerdict.Skip, last.Value.Trim())
            : new(ImapTestVerdict.Pass, last.Value.Trim());
    }

    [GeneratedRegex(@"^\d+ test groups: (?<failed>\d+) failed, (?<skipped>\d+) skipped.*$", RegexOptions.Multiline)]
    private static partial Regex Summary();
}
