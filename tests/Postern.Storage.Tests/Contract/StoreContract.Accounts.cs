
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task New_account_is_lowercased_and_gets_the_default_mailboxes()
    {
        await using var store = await OpenStoreAsync();
        await store.AddDomainAsync("example.org");
        var account = await store.AddAccountAsync("Alice@Example.ORG", Hash);

        Assert.Equal("alice@example.org", account.Address);
        Assert.Equal(account, await store.FindAccountAsync("ALICE@example.org"));
        Assert.Null(await store.FindAccountAsync("nobody@example.org"));
        Assert.Null(await store.FindAccountAsync("not an address"));

        var boxes = await store.ListMailboxesAsync(account.Id);
        Assert.Equal(
            DefaultMailboxes.All.OrderBy(b => b.Name != "INBOX").ThenBy(b => b.Name, StringComparer.Ordinal),
            boxes.Select(b => (b.Name, b.SpecialUse)));
        Assert.All(boxes, b =>
        {
            Assert.Equal(account.Id, b.AccountId);
            Assert.Equal(1u, b.UidNext);
            Assert.NotEqual(0u, b.UidValidity);
            Assert.Equal(0, b.MessageCount);
            Assert.True(b.Subscribed);
        });

        // Created in the same second, yet each has its own UIDVALIDITY.
        Assert.Equal(boxes.Count, boxes.Select(b => b.UidValidity).Distinct().Count());
    }

    [Fact]
    public async Task Duplicate_account_is_refused()
    {
        await using var store = await OpenStoreAsync();
        await store.AddDomainAsync("example.org");
        await store.AddAccountAsync("alice@example.org", Hash);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAccountAsync("ALICE@example.org", Hash));
        Assert.Contains("already exists", e.Message);
        Assert.Single(await store.ListAccountsAsync());
    }

    [Fact]
    public async Task Account_in_unknown_domain_is_refused()
    {
        await using var store = await OpenStoreAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAccountAsync("bob@nowhere.example", Hash));
        Assert.Contains("nowhere.example", e.Message);
        Assert.Empty(await store.ListAccountsAsync());
    }

    [Fact]
    public async Task Password_hash_can_be_replaced()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            Assert.True(await store.SetPasswordHashAsync("Alice@example.org", "new-hash"));
            Assert.False(await store.SetPasswordHashAsync("nobody@example.org", "x"));
            Assert.Equal(alice with { PasswordHash = "new-hash" }, await store.FindAccountAsync("alice@example.org"));
        }
    }

    [Fact]
    public async Task Removing_an_account_deletes_its_mail_and_body_files()
    {
        var (store, alice) = await OpenWithAliceAsync();
        await using (store)
        {
            var bob = await store.AddAccountAsync("bob@example.org", Hash);
            long inbox = await InboxIdAsync(store, alice.Id);
            await AppendTextAsync(store, inbox, "one");
            await AppendTextAsync(store, inbox, "two");

            // Shared with bob: that file must survive alice's removal.
            await store.AcceptAsync(new InboundMessage("x@remote.example", [alice.Id, bob.Id], []), new MemoryStream("shared"u8.ToArray()));
            Assert.Equal(3, StoredBodies(store));

            Assert.True(await store.RemoveAccountAsync("alice@example.org"));
            Assert.False(await store.RemoveAccountAsync("alice@example.org"));

            Assert.Null(await store.FindAccountAsync("alice@example.org"));
            Assert.Empty(await store.ListMailboxesAsync(alice.Id));
            Assert.Empty(await store.ListMessagesAsync(inbox));
            Assert.Equal(1, StoredBodies(store));
            Assert.Equal("shared"u8.ToArray(), await ReadBodyAsync(store, await InboxIdAsync(store, bob.Id), 1));
        }
    }
}
