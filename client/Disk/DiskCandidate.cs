namespace EzioPxe.Client.Disk;

/// <summary>A disk seen in /sys/block, and why <c>ezio.disk=auto</c> would not take it (null when it is eligible).</summary>
public sealed record DiskCandidate(string Name, string DevicePath, long Size, string? Rejected)
{
    public override string ToString() => Rejected == null
        ? $"{DevicePath} ({ByteSize.Format(Size)})"
        : $"{DevicePath} ({ByteSize.Format(Size)}): {Rejected}";
}
