using System.Reflection;
using System.Runtime.ExceptionServices;
using Postern.Storage;

namespace Postern.Testing;

/// <summary>One call a <see cref="RecordingStore"/> passed on: the <see cref="IMailStore"/> method and its arguments.</summary>
public sealed record StoreCall(MethodInfo Method, IReadOnlyList<object?> Arguments)
{
    public string Name => Method.Name;
}

/// <summary>
/// An <see cref="IMailStore"/> decorator for tests that check how a protocol uses its store. Every
/// call goes on to the inner store and is recorded; the rows the listings return and the bytes
/// read from opened messages are counted; and any method can be told to fail.
/// </summary>
/// <remarks>
/// Built on <see cref="DispatchProxy"/> so that every interface method passes through, the default
/// interface methods too (a hand-written forwarder would silently fall back to a default
/// implementation for each method it forgot, and need editing for every new one).
/// </remarks>
public class RecordingStore : DispatchProxy
{
    private static readonly MethodInfo FromExceptionOfT =
        typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition);

    private readonly object _gate = new();
    private readonly List<StoreCall> _calls = [];
    private readonly Dictionary<string, Failure> _failures = [];
    private IMailStore _inner = null!;
    private long _rowsListed;
    private long _messageBytesRead;

    /// <summary>A recording decorator around <paramref name="inner"/>; hand <see cref="Store"/> to the code under test.</summary>
    public static RecordingStore Wrap(IMailStore inner)
    {
        var proxy = Create<IMailStore, RecordingStore>();
        var self = (RecordingStore)(object)proxy;
        self._inner = inner;
        return self;
    }

    /// <summary>This decorator as an <see cref="IMailStore"/>.</summary>
    public IMailStore Store => (IMailStore)(object)this;

    /// <summary>The store every call is passed on to; use it to set up data without recording it.</summary>
    public IMailStore Inner => _inner;

    /// <summary>Every call so far (since the last <see cref="Reset"/>), in order.</summary>
    public IReadOnlyList<StoreCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Rows returned by ListMessagesAsync (both overloads) since the last <see cref="Reset"/>.</summary>
    public long RowsListed => Interlocked.Read(ref _rowsListed);

    /// <summary>Bytes read from the streams OpenMessageAsync returned since the last <see cref="Reset"/>.</summary>
    public long MessageBytesRead => Interlocked.Read(ref _messageBytesRead);

    /// <summary>How many calls to <paramref name="method"/> (a name, e.g. <c>nameof(IMailStore.AppendAsync)</c>) matched <paramref name="where"/>.</summary>
    public int Count(string method, Func<StoreCall, bool>? where = null)
    {
        lock (_gate)
        {
            return _calls.Count(c => c.Name == method && (where is null || where(c)));
        }
    }

    /// <summary>Forgets the calls and counters so far (the failures set up stay).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _calls.Clear();
            Interlocked.Exchange(ref _rowsListed, 0);
            Interlocked.Exchange(ref _messageBytesRead, 0);
        }
    }

    /// <summary>
    /// Makes <paramref name="method"/> fail with <paramref name="error"/>: every call, or only call
    /// number <paramref name="onCall"/> (1 = the first one from now on). A Task-returning method
    /// returns a faulted task, as an async store would. Replaces an earlier failure of that method.
    /// </summary>
    public RecordingStore Fail(string method, Exception error, int? onCall = null)
    {
        lock (_gate)
        {
            _failures[method] = new Failure(error, onCall);
        }

        return this;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod ?? throw new ArgumentNullException(nameof(targetMethod));
        Exception? failure = null;
        lock (_gate)
        {
            _calls.Add(new StoreCall(method, [.. args ?? []]));
            if (_failures.TryGetValue(method.Name, out var rule) && rule.Applies())
            {
                failure = rule.Error;
            }
        }

        if (failure is not null)
        {
            return Failed(method.ReturnType, failure);
        }

        object? result;
        try
        {
            result = method.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // The inner store's own exception, as the caller would see it without the decorator.
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        return (method.Name, result) switch
        {
            (nameof(IMailStore.ListMessagesAsync), Task<IReadOnlyList<MessageInfo>> listing) => CountRowsAsync(listing),
            (nameof(IMailStore.OpenMessageAsync), Task<Stream?> open) => CountBytesAsync(open),
            _ => result,
        };
    }

    private static object Failed(Type returnType, Exception error)
    {
        if (returnType == typeof(Task))
        {
            return Task.FromException(error);
        }

        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return FromExceptionOfT.MakeGenericMethod(returnType.GetGenericArguments()[0]).Invoke(null, [error])!;
        }

        if (returnType == typeof(ValueTask))
        {
            return ValueTask.FromException(error);
        }

        // WatchMailbox, TryLockMaildrop: synchronous methods fail synchronously.
        ExceptionDispatchInfo.Throw(error);
        throw error;
    }

    private async Task<IReadOnlyList<MessageInfo>> CountRowsAsync(Task<IReadOnlyList<MessageInfo>> listing)
    {
        var rows = await listing.ConfigureAwait(false);
        Interlocked.Add(ref _rowsListed, rows.Count);
        return rows;
    }

    private async Task<Stream?> CountBytesAsync(Task<Stream?> open)
    {
        var stream = await open.ConfigureAwait(false);
        return stream is null ? null : new CountingStream(stream, n => Interlocked.Add(ref _messageBytesRead, n));
    }

    /// <summary>When a method fails: always, or on one call counted from when the rule was set.</summary>
    private sealed class Failure(Exception error, int? onCall)
    {
        private int _calls;

        public Exception Error => error;

        /// <summary>Counts this call; true if it is one that fails. Called under the store's lock.</summary>
        public bool Applies() => ++_calls == onCall || onCall is null;
    }
}
