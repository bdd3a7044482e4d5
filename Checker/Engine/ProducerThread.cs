using System.Collections.Concurrent;

namespace Klp.Check.Engine;

/// <summary>One thread kept for the producing side of an exploration's two-thread levels (split or pipelined): each level's or part's producer runs on it as a task, one after another.</summary>
/// <remarks>
/// The search's thread waits for a part's producer to run and answer the round-trip measurement
/// (<see cref="CrossCore"/>). A thread started for each part took 0.3-0.4 ms to run, and now and
/// then milliseconds more to answer: on the machine of docs/performance.md the search's thread
/// waited 0.4 s in all for the 85 parts of positional-13, against 0.03 s with one thread kept.
/// Tasks are never run inline on the thread that waits for them: a producer run on the search's
/// thread would wait for itself.
/// </remarks>
internal sealed class ProducerThread : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> queue = [];
    private readonly Thread thread;

    public ProducerThread()
    {
        thread = new Thread(() =>
        {
            foreach (var task in queue.GetConsumingEnumerable()) TryExecuteTask(task);
        }) { IsBackground = true, Name = "klp-check producer" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the thread, after any work given before.</summary>
    public Task Run(Action work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, this);

    /// <inheritdoc/>
    public override int MaximumConcurrencyLevel => 1;

    /// <inheritdoc/>
    protected override void QueueTask(Task task) => queue.Add(task);

    /// <inheritdoc/>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    /// <inheritdoc/>
    protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();

    /// <summary>Lets the thread end once the work given has run, and waits for it.</summary>
    public void Dispose()
    {
        queue.CompleteAdding();
        thread.Join();
        queue.Dispose();
    }
}
