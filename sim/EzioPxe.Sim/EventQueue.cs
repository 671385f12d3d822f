namespace EzioPxe.Sim;

/// <summary>Things to do at a virtual time; equal times run in the order they were scheduled, so a run repeats exactly.</summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _queue = new();
    private long _sequence;

    public int Count => _queue.Count;

    public void At(long microseconds, Action action) => _queue.Enqueue(action, (microseconds, _sequence++));

    public bool TryPeekTime(out long microseconds)
    {
        if (_queue.TryPeek(out _, out var priority))
        {
            microseconds = priority.Time;
            return true;
        }
        microseconds = 0;
        return false;
    }

    /// <summary>Runs every event due at or before <paramref name="now"/>, including those they schedule for then.</summary>
    public void RunUntil(long now)
    {
        while (_queue.TryPeek(out _, out var priority) && priority.Time <= now)
        {
            _queue.Dequeue()();
        }
    }
}
