namespace EzioPxe.Contracts.Capture;

/// <summary>A run of disk bytes, by byte offset on the disk and length.</summary>
public sealed record CaptureRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
