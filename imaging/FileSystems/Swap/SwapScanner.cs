using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.FileSystems.Swap;

/// <summary>
/// Linux swap: nothing in it survives a reboot, so only the header page travels (it holds the
/// UUID and label that /etc/fstab may name). The signature "SWAPSPACE2" sits in the last 10
/// bytes of the first page (4 KiB on x86).
/// </summary>
public static class SwapScanner
{
    private const int PageSize = 4096;

    public static bool Matches(DiskImage disk, long start, long length)
    {
        if (length < PageSize || start + PageSize > disk.Size)
        {
            return false;
        }
        var magic = disk.Read(start + PageSize - 10, 10);
        return magic.AsSpan().SequenceEqual("SWAPSPACE2"u8) || magic.AsSpan().SequenceEqual("SWAP-SPACE"u8);
    }

    public static FileSystemUsage Scan(DiskImage disk, long start, long length)
    {
        // The label lives at offset 1024+28 (struct swap_header_v1_2: version, last_page, nr_badpages, uuid[16], volume_name[16]).
        var header = disk.Read(start + 1024, 64);
        var label = System.Text.Encoding.UTF8.GetString(header.AsSpan(28, 16)).TrimEnd('\0');
        return new FileSystemUsage(FileSystemKind.Swap, label, new[] { new Extent(0, PageSize) });
    }
}
