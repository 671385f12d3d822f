namespace EzioPxe.Client.Storage;

/// <summary>Where one torrent file lives on the target: <see cref="Length"/> bytes from <see cref="DiskOffset"/>.</summary>
public readonly record struct DiskExtent(int FileIndex, long DiskOffset, long Length)
{
    public long End => DiskOffset + Length;

    public override string ToString() => $"0x{DiskOffset:x}..0x{End:x}";
}
