using Postern.Storage;
using Xunit;

namespace Postern.Protocol.Tests.Testing;

/// <summary>The shared store decorator of Postern.Testing: what the store tests rely on it for.</summary>
public class RecordingStoreTests
{
    [Fact]
    public async Task Calls_are_passed_on_and_recorded_with_their_arguments()
    {
        var memory = new MemoryMailStore();
        var store = RecordingStore.Wrap(memory);
        Assert.True(await store.Store.AddDomainAsync("example.org"));
        Assert.True(await store.Store.IsLocalDomainAsync("example.org"));
        Assert.Equal(["example.org"], await memory.ListDomainsAsync());

        Assert.Equal([nameof(IMailStore.AddDomainAsync), nameof(IMailStore.IsLocalDomainAsync)], store.Calls.Select(c => c.Name));
        Assert.Equal("example.org", store.Calls[0].Arguments[0]);
        Assert.Equal(1, store.Count(nameof(IMailStore.IsLocalDomainAsync), c => (string?)c.Arguments[0] == "example.org"));

        store.Reset();
        Assert.Empty(store.Calls);
    }

    [Fact]
    public async Task A_failure_on_the_nth_call_fails_that_call_only_with_a_faulted_task()
    {
        var store = RecordingStore.Wrap(new MemoryMailStore()).Fail(nameof(IMailStore.AddDomainAsync), new IOException("full"), onCall: 2);
        Assert.True(await store.Store.AddDomainAsync("a.test"));
        var second = store.Store.AddDomainAsync("b.test");
        Assert.True(second.IsFaulted, "the failure is a faulted task, as from an async store");
        Assert.Equal("full", (await Assert.ThrowsAsync<IOException>(() => second)).Message);
        Assert.True(await store.Store.AddDomainAsync("c.test"));
        Assert.Equal(["a.test", "c.test"], await store.Inner.ListDomainsAsync());
    }

    [Fact]
    public async Task A_failure_without_a_call_number_fails_every_call_and_the_inner_stores_errors_come_through_unwrapped()
    {
        var store = RecordingStore.Wrap(new MemoryMailStore()).Fail(nameof(IMailStore.RemoveDomainAsync), new IOException("no"));
        await Assert.ThrowsAsync<IOException>(() => store.Store.RemoveDomainAsync("a.test"));
        await Assert.ThrowsAsync<IOException>(() => store.Store.RemoveDomainAsync("a.test"));
        Assert.Throws<IOException>(() => store.Fail(nameof(IMailStore.TryLockMaildrop), new IOException("sync")).Store.TryLockMaildrop(1));

        // The memory store throws before it returns a task; the caller sees that exception, not a TargetInvocationException.
        await store.Inner.AddDomainAsync("b.test");
        var account = await store.Inner.AddAccountAsync("someone@b.test", "hash");
        await store.Store.CreateMailboxAsync(account.Id, "Work");
        Assert.Equal(MailboxError.AlreadyExists, (await Assert.ThrowsAsync<MailboxException>(() => store.Store.CreateMailboxAsync(account.Id, "Work"))).Error);
    }
}
