
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Create_makes_missing_parents_with_fresh_uidvalidity()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var created = await store.CreateMailboxAsync(alice.Id, "Projects/2026/Q4", "\\Important");
            // CREATE does not subscribe (RFC 3501 6.3.3 says nothing of it; Dovecot does not either).
            Assert.Equal(("Projects/2026/Q4", "\\Important", 1u, 0, false), (created.Name, created.SpecialUse, created.UidNext, created.MessageCount, created.Subscribed));
            Assert.Equal(created, await store.GetMailboxAsync(alice.Id, "Projects/2026/Q4"));

            var boxes = await store.ListMailboxesAsync(alice.Id);
            Assert.Contains(boxes, b => b.Name == "Projects");
            Assert.Contains(boxes, b => b.Name == "Projects/2026");
            Assert.Equal(boxes.Count, boxes.Select(b => b.UidValidity).Distinct().Count());
            Assert.All(boxes, b => Assert.NotEqual(0u, b.UidValidity));

            // An existing parent is fine; the mailbox itself is not.
            await store.CreateMailboxAsync(alice.Id, "Projects/2027");
            var again = await Assert.ThrowsAsync<MailboxException>(() => store.CreateMailboxAsync(alice.Id, "Projects/2026"));
            Assert.Equal(MailboxError.AlreadyExists, again.Error);
        }
    }

    [Theory]
    [InlineData("INBOX")]
    [InlineData("inbox")]
    [InlineData("InBoX")]
    [InlineData("Sent")]
    public async Task Create_refuses_existing_names_and_inbox_in_any_case(string name)
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var e = await Assert.ThrowsAsync<MailboxException>(() => store.CreateMailboxAsync(alice.Id, name));
            Assert.Equal(MailboxError.AlreadyExists, e.Error);
        }
    }

    [Fact]
    public async Task Children_of_inbox_are_allowed_and_found_in_any_case()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var child = await store.CreateMailboxAsync(alice.Id, "inbox/Receipts");
            Assert.Equal("INBOX/Receipts", child.Name);
            Assert.Equal(child.Id, (await store.GetMailboxAsync(alice.Id, "Inbox/Receipts"))!.Id);
            var e = await Assert.ThrowsAsync<MailboxException>(() => store.CreateMailboxAsync(alice.Id, "INBOX/Receipts"));
            Assert.Equal(MailboxError.AlreadyExists, e.Error);

            // Only the INBOX level is case-insensitive.
            Assert.Null(await store.GetMailboxAsync(alice.Id, "INBOX/receipts"));
        }
    }

    public static TheoryData<string> InvalidNames() => new()
    {
        "",
        "/",
        "/Leading",
        "Trailing/",
        "Double//Slash",
        ".",
        "..",
        "a/../b",
        "a/./b",
        "../INBOX",
        "nul\0byte",
        "carriage\rreturn",
        "line\nfeed",
        "bell\u0007",
        "del\u007f",
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task Create_refuses_invalid_names(string name)
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            int before = (await store.ListMailboxesAsync(alice.Id)).Count;
            var e = await Assert.ThrowsAsync<MailboxException>(() => store.CreateMailboxAsync(alice.Id, name));
            Assert.Equal(MailboxError.InvalidName, e.Error);
            Assert.Equal(before, (await store.ListMailboxesAsync(alice.Id)).Count);
        }
    }

    [Fact]
    public async Task Create_refuses_a_lone_surrogate()
    {
        // Not in the theory data: xunit's serialisation would replace the surrogate.
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var e = await Assert.ThrowsAsync<MailboxException>(() => store.CreateMailboxAsync(alice.Id, "lone\ud800surrogate"));
            Assert.Equal(MailboxError.InvalidName, e.Error);
        }
    }

    [Fact]
    public async Task Names_at_the_limits_are_accepted()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            string longest = new string('x', 253) + "\u00e9"; // 255 octets
            Assert.Equal(longest, (await store.CreateMailboxAsync(alice.Id, longest)).Name);
            string deepest = string.Join('/', Enumerable.Range(1, 16).Select(i => "l" + i));
            Assert.Equal(deepest, (await store.CreateMailboxAsync(alice.Id, deepest)).Name);
            Assert.NotNull(await store.CreateMailboxAsync(alice.Id, "Caf\u00e9 \u2709 [2026] ..x"));
        }
    }

    [Fact]
    public async Task Delete_removes_messages_and_unshared_bodies()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            long inbox = await InboxIdAsync(store, alice.Id);
            var box = await store.CreateMailboxAsync(alice.Id, "Old");
            await AppendTextAsync(store, box.Id, "only here");
            uint shared = await AppendTextAsync(store, inbox, "also in INBOX");
            await store.CopyAsync(inbox, [shared], box.Id);
            Assert.Equal(2, StoredBodies(store));

            await store.DeleteMailboxAsync(alice.Id, "Old");
            Assert.Null(await store.GetMailboxAsync(alice.Id, "Old"));
            Assert.Empty(await store.ListMessagesAsync(box.Id));

            // The body INBOX still uses stays; the other is gone.
            Assert.Equal(1, StoredBodies(store));
            Assert.Equal("also in INBOX"u8.ToArray(), await ReadBodyAsync(store, inbox, shared));

            // The name can be created again, with a new UIDVALIDITY.
            var recreated = await store.CreateMailboxAsync(alice.Id, "Old");
            Assert.NotEqual(box.UidValidity, recreated.UidValidity);
        }
    }

    [Fact]
    public async Task Delete_refuses_inbox_parents_and_unknown_names()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            await store.CreateMailboxAsync(alice.Id, "Parent/Child");
            Assert.Equal(MailboxError.NotAllowed, (await Assert.ThrowsAsync<MailboxException>(() => store.DeleteMailboxAsync(alice.Id, "inbox"))).Error);
            Assert.Equal(MailboxError.NotAllowed, (await Assert.ThrowsAsync<MailboxException>(() => store.DeleteMailboxAsync(alice.Id, "Parent"))).Error);
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.DeleteMailboxAsync(alice.Id, "Nope"))).Error);
            Assert.NotNull(await store.GetMailboxAsync(alice.Id, "Parent"));

            // Child first, then the parent.
            await store.DeleteMailboxAsync(alice.Id, "Parent/Child");
            await store.DeleteMailboxAsync(alice.Id, "Parent");
            Assert.Null(await store.GetMailboxAsync(alice.Id, "Parent"));
        }
    }

    [Fact]
    public async Task Rename_moves_children_and_keeps_uidvalidity_and_messages()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var parent = await store.CreateMailboxAsync(alice.Id, "Work");
            var child = await store.CreateMailboxAsync(alice.Id, "Work/Reports");
            var unrelated = await store.CreateMailboxAsync(alice.Id, "Workshop");
            uint uid = await AppendTextAsync(store, child.Id, "report");

            await store.RenameMailboxAsync(alice.Id, "Work", "Archive/2026/Work");

            Assert.Null(await store.GetMailboxAsync(alice.Id, "Work"));
            Assert.Null(await store.GetMailboxAsync(alice.Id, "Work/Reports"));
            var renamed = (await store.GetMailboxAsync(alice.Id, "Archive/2026/Work"))!;
            var renamedChild = (await store.GetMailboxAsync(alice.Id, "Archive/2026/Work/Reports"))!;
            Assert.Equal((parent.Id, parent.UidValidity), (renamed.Id, renamed.UidValidity));
            Assert.Equal((child.Id, child.UidValidity, 2u), (renamedChild.Id, renamedChild.UidValidity, renamedChild.UidNext));
            Assert.Equal([uid], (await store.ListMessagesAsync(renamedChild.Id)).Select(m => m.Uid));
            Assert.NotNull(await store.GetMailboxAsync(alice.Id, "Archive/2026"));
            Assert.Equal(unrelated.Name, (await store.GetMailboxAsync(alice.Id, "Workshop"))!.Name);
        }
    }

    [Fact]
    public async Task Rename_refuses_existing_target_unknown_source_and_own_subtree()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            await store.CreateMailboxAsync(alice.Id, "A");
            Assert.Equal(MailboxError.AlreadyExists, (await Assert.ThrowsAsync<MailboxException>(() => store.RenameMailboxAsync(alice.Id, "A", "Sent"))).Error);
            Assert.Equal(MailboxError.AlreadyExists, (await Assert.ThrowsAsync<MailboxException>(() => store.RenameMailboxAsync(alice.Id, "A", "inbox"))).Error);
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.RenameMailboxAsync(alice.Id, "Nope", "B"))).Error);
            Assert.Equal(MailboxError.InvalidName, (await Assert.ThrowsAsync<MailboxException>(() => store.RenameMailboxAsync(alice.Id, "A", "A/B"))).Error);
            Assert.Equal(MailboxError.InvalidName, (await Assert.ThrowsAsync<MailboxException>(() => store.RenameMailboxAsync(alice.Id, "A", "../B"))).Error);
            Assert.NotNull(await store.GetMailboxAsync(alice.Id, "A"));

            // A child whose new name would be too long stops the whole rename.
            await store.CreateMailboxAsync(alice.Id, "A/Child");
            string longName = new('n', 250);
            Assert.Equal(StoreLimit.MailboxNameLength, (await Assert.ThrowsAsync<StoreLimitException>(() => store.RenameMailboxAsync(alice.Id, "A", longName))).Limit);
            Assert.NotNull(await store.GetMailboxAsync(alice.Id, "A/Child"));
            Assert.Null(await store.GetMailboxAsync(alice.Id, longName));
        }
    }

    [Fact]
    public async Task Renaming_inbox_moves_its_messages_to_a_new_mailbox_and_leaves_it_empty()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var inboxBefore = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            await store.CreateMailboxAsync(alice.Id, "INBOX/Child");
            await AppendTextAsync(store, inboxBefore.Id, "one", MessageFlags.Seen);
            await AppendTextAsync(store, inboxBefore.Id, "two");
            await AppendTextAsync(store, inboxBefore.Id, "three", MessageFlags.Deleted);
            await store.ExpungeAsync(inboxBefore.Id);

            await store.RenameMailboxAsync(alice.Id, "inbox", "Old Mail");

            var inbox = (await store.GetMailboxAsync(alice.Id, "INBOX"))!;
            Assert.Equal((inboxBefore.Id, inboxBefore.UidValidity, 0, 4u), (inbox.Id, inbox.UidValidity, inbox.MessageCount, inbox.UidNext));
            Assert.Empty(await store.ListMessagesAsync(inbox.Id));
            Assert.Equal([1u, 2u, 3u], await store.ExpungedSinceAsync(inbox.Id, 0));

            var moved = (await store.GetMailboxAsync(alice.Id, "Old Mail"))!;
            var messages = await store.ListMessagesAsync(moved.Id);
            Assert.Equal([(1u, MessageFlags.Seen), (2u, MessageFlags.None)], messages.Select(m => (m.Uid, m.Flags)));
            Assert.Equal("two"u8.ToArray(), await ReadBodyAsync(store, moved.Id, 2));
            Assert.NotEqual(inbox.UidValidity, moved.UidValidity);

            // INBOX's children are not renamed with it (RFC 9051 6.3.6).
            Assert.NotNull(await store.GetMailboxAsync(alice.Id, "INBOX/Child"));
            Assert.Null(await store.GetMailboxAsync(alice.Id, "Old Mail/Child"));
        }
    }

    [Fact]
    public async Task Subscription_and_account_size()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            await store.SetSubscribedAsync(alice.Id, "Sent", false);
            Assert.False((await store.GetMailboxAsync(alice.Id, "Sent"))!.Subscribed);
            await store.SetSubscribedAsync(alice.Id, "Sent", true);
            Assert.True((await store.GetMailboxAsync(alice.Id, "Sent"))!.Subscribed);
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.SetSubscribedAsync(alice.Id, "Nope", true))).Error);

            Assert.Equal(0, await store.GetAccountSizeAsync(alice.Id));
            long inbox = await InboxIdAsync(store, alice.Id);
            var sent = (await store.GetMailboxAsync(alice.Id, "Sent"))!;
            uint uid = await AppendTextAsync(store, inbox, "12345");
            await AppendTextAsync(store, sent.Id, "123");
            await store.CopyAsync(inbox, [uid], sent.Id);

            // Usage counts every message, shared body or not (RFC 9208 STORAGE).
            Assert.Equal(13, await store.GetAccountSizeAsync(alice.Id));
            await store.AddAccountAsync("bob@example.org", Hash);
            var bob = (await store.FindAccountAsync("bob@example.org"))!;
            Assert.Equal(0, await store.GetAccountSizeAsync(bob.Id));
        }
    }

    /// <summary>
    /// Subscriptions are names, not mailbox flags (RFC 3501 6.3.6): a deleted mailbox stays
    /// subscribed until UNSUBSCRIBE, a new mailbox is not subscribed, the default mailboxes of an
    /// account are, and RENAME carries the subscriptions of the mailbox and its children along.
    /// </summary>
    [Fact]
    public async Task Subscriptions_outlive_their_mailbox_and_follow_a_rename()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            Assert.Equal(DefaultMailboxes.All.Select(d => d.Name).Order(StringComparer.Ordinal), await store.ListSubscriptionsAsync(alice.Id));
            await store.CreateMailboxAsync(alice.Id, "Old/Child");
            await store.SetSubscribedAsync(alice.Id, "Old", true);
            await store.SetSubscribedAsync(alice.Id, "Old/Child", true);
            await store.RenameMailboxAsync(alice.Id, "Old", "New");
            Assert.True((await store.GetMailboxAsync(alice.Id, "New/Child"))!.Subscribed);
            Assert.DoesNotContain("Old", await store.ListSubscriptionsAsync(alice.Id));

            await store.DeleteMailboxAsync(alice.Id, "New/Child");
            Assert.Contains("New/Child", await store.ListSubscriptionsAsync(alice.Id));
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.SetSubscribedAsync(alice.Id, "New/Child", true))).Error);

            // A subscription without a mailbox can still be removed; an unknown name cannot.
            await store.SetSubscribedAsync(alice.Id, "New/Child", false);
            Assert.DoesNotContain("New/Child", await store.ListSubscriptionsAsync(alice.Id));
            Assert.Equal(MailboxError.NotFound, (await Assert.ThrowsAsync<MailboxException>(() => store.SetSubscribedAsync(alice.Id, "New/Child", false))).Error);

            // A recreated mailbox of a still subscribed name is subscribed again.
            await store.CreateMailboxAsync(alice.Id, "Again");
            await store.SetSubscribedAsync(alice.Id, "Again", true);
            await store.DeleteMailboxAsync(alice.Id, "Again");
            Assert.True((await store.CreateMailboxAsync(alice.Id, "Again")).Subscribed);

            Assert.True(await store.RemoveAccountAsync("alice@example.org"));
            Assert.Empty(await store.ListSubscriptionsAsync(alice.Id));
        }
    }
}
