namespace EzioPxe.Imaging.Extents;

/// <summary>A run of bytes on the disk, [Offset, Offset + Length).</summary>
public readonly record struct Extent(long Offset, long Length)
{
    public long End => Offset + Length;

    public override string ToString() => $"[0x{Offset:x}, +0x{Length:x})";
}
