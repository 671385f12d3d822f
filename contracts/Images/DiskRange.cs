namespace EzioPxe.Contracts.Images;

/// <summary>A run of bytes on the target disk, [Offset, Offset + Length).</summary>
public readonly record struct DiskRange(long Offset, long Length)
{
    public long End => Offset + Length;

    public override string ToString() => $"0x{Offset:x}..0x{End:x}";
}
