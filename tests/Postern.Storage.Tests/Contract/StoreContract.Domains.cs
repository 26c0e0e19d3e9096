
namespace Postern.Storage.Tests.Contract;

public abstract partial class StoreContract
{
    [Fact]
    public async Task Add_list_and_remove_domains_case_insensitively()
    {
        await using var store = await OpenStoreAsync();

        Assert.True(await store.AddDomainAsync("Example.ORG"));
        Assert.False(await store.AddDomainAsync("example.org"));
        Assert.True(await store.AddDomainAsync("b.example"));

        Assert.Equal(["b.example", "example.org"], await store.ListDomainsAsync());
        Assert.True(await store.IsLocalDomainAsync("EXAMPLE.org"));
        Assert.False(await store.IsLocalDomainAsync("other.example"));
        Assert.False(await store.IsLocalDomainAsync("bad domain"));

        Assert.True(await store.RemoveDomainAsync("B.Example"));
        Assert.False(await store.RemoveDomainAsync("b.example"));
        Assert.Equal(["example.org"], await store.ListDomainsAsync());
    }

    [Fact]
    public async Task Removing_a_domain_with_accounts_is_refused()
    {
        await using var store = await OpenStoreAsync();
        await store.AddDomainAsync("example.org");
        await store.AddAccountAsync("bob@example.org", Hash);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => store.RemoveDomainAsync("example.org"));
        Assert.Contains("example.org", e.Message);
        Assert.True(await store.IsLocalDomainAsync("example.org"));

        Assert.True(await store.RemoveAccountAsync("bob@example.org"));
        Assert.True(await store.RemoveDomainAsync("example.org"));
    }

    [Fact]
    public async Task Malformed_domain_is_rejected_on_add()
    {
        await using var store = await OpenStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddDomainAsync("a b"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddDomainAsync("x@y"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddDomainAsync(""));
        Assert.Empty(await store.ListDomainsAsync());
    }
}
