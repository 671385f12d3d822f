namespace EzioPxe.Client.Tests.Progress;

/// <summary>A clock the test moves by hand, so rate windows and redraw intervals are exact.</summary>
public sealed class FakeTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
