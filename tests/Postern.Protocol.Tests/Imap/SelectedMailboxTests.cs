using Postern.Imap.Session;
using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

public class SelectedMailboxTests
{
    private static MessageInfo M(uint uid, MessageFlags flags = MessageFlags.None) => new(uid, flags, DateTimeOffset.UnixEpoch, 10);

    private static MailboxInfo Box => new(1, 1, "INBOX", null, 1, 100, 0, 0, 0, true);

    [Fact]
    public void Apply_reports_expunges_new_messages_and_flags_in_order()
    {
        var box = new SelectedMailbox(Box, false, [M(1), M(2), M(3), M(4), M(5)], 16);
        var output = new List<string>();
        box.Apply([M(1), M(3, MessageFlags.Seen), M(6), M(7)], output.Add);
        Assert.Equal(["2 EXPUNGE", "3 EXPUNGE", "3 EXPUNGE", "4 EXISTS", "2 FETCH (FLAGS (\\Seen))"], output);
        Assert.Equal([1u, 3u, 6u, 7u], box.Messages.Select(m => m.Uid));
        Assert.Equal(2, box.IndexOfUid(6));
        Assert.Equal(-1, box.IndexOfUid(2));
    }

    [Fact]
    public void Apply_ignores_an_unannounced_lower_uid()
    {
        var box = new SelectedMailbox(Box, false, [M(1), M(5)], 16);
        var output = new List<string>();
        box.Apply([M(1), M(3), M(5)], output.Add);
        Assert.Empty(output);
        Assert.Equal([1u, 5u], box.Messages.Select(m => m.Uid));
    }
}

public class SelectedMailboxSyncTests
{
    private static MessageInfo M(uint uid, ulong modSeq, MessageFlags flags = MessageFlags.None) => new(uid, flags, DateTimeOffset.UnixEpoch, 10) { ModSeq = modSeq };

    private static MailboxInfo Box => new(1, 1, "INBOX", null, 1, 100, 0, 0, 0, true);

    [Fact]
    public void Apply_with_qresync_sends_one_vanished_and_modseq_with_flags()
    {
        var box = new SelectedMailbox(Box, false, [M(1, 2), M(2, 3), M(3, 4), M(4, 5), M(5, 6)], 16);
        var output = new List<string>();
        box.Apply([M(1, 2), M(4, 9, MessageFlags.Seen), M(5, 10), M(6, 11)], output.Add, condStore: true, qresync: true);
        Assert.Equal(["VANISHED 2:3", "4 EXISTS", "2 FETCH (FLAGS (\\Seen) UID 4 MODSEQ (9))", "3 FETCH (FLAGS () UID 5 MODSEQ (10))"], output);
        Assert.Equal([1u, 4u, 5u, 6u], box.Messages.Select(m => m.Uid));
    }

    [Fact]
    public void Apply_without_condstore_ignores_modseq_only_changes()
    {
        var box = new SelectedMailbox(Box, false, [M(1, 2), M(2, 3)], 16);
        var output = new List<string>();
        box.Apply([M(1, 7), M(2, 3)], output.Add);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData(new uint[] { }, "")]
    [InlineData(new uint[] { 5 }, "5")]
    [InlineData(new uint[] { 3, 1, 2, 2, 7, 9, 10 }, "1:3,7,9:10")]
    [InlineData(new uint[] { 4294967295, 4294967294 }, "4294967294:4294967295")]
    public void Uid_sets_are_compact(uint[] uids, string expected) => Assert.Equal(expected, UidSetText.Format(uids));
}
