using Microsoft.Extensions.Logging;
using Postern.Storage.Sqlite;
using Postern.Storage.Tests.Support;
using static Postern.Storage.Tests.Support.StoreHelpers;

namespace Postern.Storage.Tests;

/// <summary>The SQLite store logs a change watcher that throws (event 505); the rest of that rule is in the contract.</summary>
public sealed class SqliteWatchLogTests(TempDirectory temp) : IClassFixture<TempDirectory>
{
    [Fact]
    public async Task A_throwing_watcher_is_logged_as_an_error()
    {
        var logger = new CollectingLogger();
        await using var store = await SqliteMailStore.OpenAsync(temp.NewDataDirectory(), logger);
        await store.AddDomainAsync("example.org");
        long inbox = await InboxIdAsync(store, (await store.AddAccountAsync("alice@example.org", Hash)).Id);
        using var bad = store.WatchMailbox(inbox, () => throw new InvalidOperationException("watcher bug"));

        // Callbacks run before the writer returns, so the entry is there when the append is.
        await AppendTextAsync(store, inbox, "still stored");
        var entry = Assert.Single(logger.Entries, e => e.Id == 505);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<InvalidOperationException>(entry.Exception);
    }

    private sealed class CollectingLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(int Id, LogLevel Level, Exception? Exception)> _entries = [];

        public List<(int Id, LogLevel Level, Exception? Exception)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((eventId.Id, logLevel, exception));
            }
        }
    }
}
