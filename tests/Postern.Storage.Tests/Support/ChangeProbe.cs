namespace Postern.Storage.Tests.Support;

/// <summary>Counts notifications and lets a test await the next one (bounded).</summary>
internal sealed class ChangeProbe
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void OnChange()
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            _count++;
            done = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    /// <summary>Runs <paramref name="change"/> and waits until it was reported.</summary>
    public async Task ExpectAsync(Func<Task> change)
    {
        Task next;
        lock (_lock)
        {
            next = _next.Task;
        }

        await change();
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
