using Postern.Fuzz.Support;
using Postern.Fuzz.Targets;
using Postern.Net;

namespace Postern.Fuzz.Tests;

/// <summary>
/// Keeps the fuzz set-up honest (Garnet's FuzzTargetTests idea): every target has seeds and is
/// replayed, every input folder belongs to a target, and the session targets really reach the
/// state their preamble is for, so a change to login or SELECT cannot quietly leave a campaign
/// fuzzing the login failure.
/// </summary>
public class FuzzTargetTests
{
    public static TheoryData<string> TargetNames()
    {
        var data = new TheoryData<string>();
        foreach (var t in FuzzTargets.All)
        {
            data.Add(t.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Target_has_a_corpus_that_is_replayed(string name)
    {
        var replayed = ReplayTests.Inputs().Select(row => (string)row[0]).ToList();
        Assert.Contains(name, replayed);
        Assert.True(Directory.GetFiles(Path.Combine(FuzzInputs.Folder("Corpus"), name)).Length >= 3, $"Corpus/{name} needs at least three seeds.");
    }

    [Fact]
    public void Every_input_folder_names_a_target()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToHashSet();
        var orphans = FuzzInputs.Kinds
            .Where(kind => Directory.Exists(FuzzInputs.Folder(kind)))
            .SelectMany(kind => Directory.GetDirectories(FuzzInputs.Folder(kind)).Select(d => $"{kind}/{Path.GetFileName(d)}"))
            .Where(d => !names.Contains(d[(d.IndexOf('/') + 1)..]))
            .ToList();
        Assert.Empty(orphans);
    }

    [Fact]
    public void Target_names_are_unique_and_usable_as_folder_names()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.Matches("^[a-z0-9-]+$", n));
    }

    [Fact]
    public void Imap_preambles_reach_authenticated_and_selected()
    {
        Assert.Contains("P1 OK", ImapSessions.Run(ImapStart.Authenticated, "a NOOP\r\n"u8));
        string selected = ImapSessions.Run(ImapStart.Selected, "a FETCH 3 BODY.PEEK[2.1]\r\n"u8);
        Assert.Contains("P2 OK [READ-WRITE]", selected);
        Assert.Contains("* 3 FETCH (BODY[2.1]", selected);
        Assert.Contains("T1 OK", ImapSessions.RunCommands(ImapStart.Selected, "1:* (SEEN)"u8, "SEARCH"));
    }

    [Fact]
    public void Smtp_preambles_reach_submission_and_data()
    {
        Assert.Contains("235 2.7.0", SmtpSessions.Run(MailProtocol.Submission, TlsMode.Implicit, Script.Of(SmtpCommandTarget.SubmissionLogin, "NOOP\r\n"u8)));
        string data = SmtpSessions.Run(MailProtocol.SmtpRelay, TlsMode.StartTls, Script.Of(SmtpDataTarget.Envelope, "Subject: x\r\n\r\ny\r\n.\r\n"u8));
        Assert.Contains("354 ", data);
        Assert.Contains("250 2.0.0 Ok: queued", data);
    }

    [Fact]
    public void Pop3_preamble_reaches_transaction()
    {
        Assert.Contains("+OK Logged in", Pop3Target.Run(TlsMode.Implicit, Script.Of(Pop3Target.Login, "STAT\r\n"u8)));
    }

    [Fact]
    public void A_server_fault_is_a_crash()
    {
        // The logger the sessions get turns a logged fault into an exception, so a bug the server
        // swallows (IMAP's NO [SERVERBUG]) still reaches afl++ as a crash.
        var log = new FaultLog<FuzzTargetTests>();
        Microsoft.Extensions.Logging.LoggerExtensions.LogError(log, new InvalidOperationException("boom"), "IMAP command {Command} failed", "FETCH");
        Assert.Throws<ServerFaultException>(log.ThrowIfAny);
    }
}
