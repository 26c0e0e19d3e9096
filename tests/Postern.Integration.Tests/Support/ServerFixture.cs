namespace Postern.Integration.Tests.Support;

/// <summary>
/// The <see cref="PosternServer"/> the integration suite shares (users alice..erin), started and
/// stopped by xunit. Everything but the xunit hooks is in Postern.Testing, which does not depend
/// on a test framework.
/// </summary>
public class ServerFixture : PosternServer, IAsyncLifetime
{
    private readonly string[] _extraServeArgs;

    public ServerFixture()
        : this([])
    {
    }

    /// <summary>For fixtures of their own that run serve with extra switches (e.g. --Quota:DefaultStorageMB=1).</summary>
    protected ServerFixture(params string[] extraServeArgs) => _extraServeArgs = extraServeArgs;

    public async Task InitializeAsync()
    {
        await InitAsync();
        await StartAsync(_extraServeArgs);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Postern server";
}
