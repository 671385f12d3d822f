namespace EzioPxe.Engine.Swarm;

/// <summary>Counts bytes and keeps a smoothed bytes-per-second rate, updated once a second by the session tick.</summary>
public sealed class RateMeter
{
    private readonly Func<long>? _clock;
    private long _total;
    private long _lastTotal;
    private long _lastTicks;

    public RateMeter()
    {
        _lastTicks = Environment.TickCount64;
    }

    /// <summary>A meter on the session's clock (milliseconds), which is virtual in the swarm simulator.</summary>
    internal RateMeter(Func<long> clock)
    {
        _clock = clock;
        _lastTicks = clock();
    }

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Bytes per second, an exponential average over a few seconds.</summary>
    public double Rate { get; private set; }

    public void Add(long bytes) => Interlocked.Add(ref _total, bytes);

    public void Tick()
    {
        var now = _clock?.Invoke() ?? Environment.TickCount64;
        var elapsed = (now - _lastTicks) / 1000.0;
        if (elapsed <= 0)
        {
            return;
        }
        var total = Total;
        var instant = (total - _lastTotal) / elapsed;
        Rate = Rate == 0 ? instant : Rate * 0.6 + instant * 0.4;
        _lastTotal = total;
        _lastTicks = now;
    }
}
