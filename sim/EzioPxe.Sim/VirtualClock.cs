namespace EzioPxe.Sim;

/// <summary>
/// Virtual time in microseconds, handed to every session as its clock. It starts an hour in, not
/// at zero: like the system's tick count, which is never near zero, so no "unset" zero in the
/// session is mistaken for a time.
/// </summary>
internal sealed class VirtualClock : TimeProvider
{
    public const long Start = 3_600_000_000;

    public long Microseconds { get; set; } = Start;

    /// <summary>Seconds since the simulation's go.</summary>
    public double Seconds => (Microseconds - Start) / 1e6;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Microseconds;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddTicks(Microseconds * 10);
}
