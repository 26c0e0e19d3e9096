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
