namespace EzioPxe.Client.Progress;

/// <summary>
/// Bytes per second over the last few seconds (a sliding window of one-second buckets), so the
/// console shows what the swarm does now, not the average since boot. Safe to feed from many threads.
/// </summary>
public sealed class TransferRate
{
    private readonly TimeProvider _time;
    private readonly long[] _buckets;
    private readonly long _start;
    private long _currentSecond;
    private long _total;

    /// <param name="windowSeconds">How many whole seconds the rate is averaged over.</param>
    public TransferRate(int windowSeconds = 5, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSeconds);
        _time = time ?? TimeProvider.System;
        _buckets = new long[windowSeconds + 1];
        _start = _time.GetTimestamp();
    }

    /// <summary>Every byte ever added.</summary>
    public long Total
    {
        get { lock (_buckets) { return _total; } }
    }

    public void Add(long bytes)
    {
        lock (_buckets)
        {
            Advance();
            _buckets[_currentSecond % _buckets.Length] += bytes;
            _total += bytes;
        }
    }

    /// <summary>The average over the last full seconds of the window (fewer right after start).</summary>
    public long BytesPerSecond
    {
        get
        {
            lock (_buckets)
            {
                Advance();
                // The current second is still filling: leave it out.
                var seconds = Math.Min(_currentSecond, _buckets.Length - 1);
                if (seconds == 0)
                {
                    return 0;
                }
                long sum = 0;
                for (var s = _currentSecond - seconds; s < _currentSecond; s++)
                {
                    sum += _buckets[s % _buckets.Length];
                }
                return sum / seconds;
            }
        }
    }

    private void Advance()
    {
        var now = (long)_time.GetElapsedTime(_start).TotalSeconds;
        // Clear the buckets of seconds that passed without traffic before reusing them.
        for (var s = _currentSecond + 1; s <= now && s <= _currentSecond + _buckets.Length; s++)
        {
            _buckets[s % _buckets.Length] = 0;
        }
        _currentSecond = Math.Max(_currentSecond, now);
    }
}
