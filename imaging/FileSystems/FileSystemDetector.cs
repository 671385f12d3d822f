using EzioPxe.Imaging.FileSystems.Ext;
using EzioPxe.Imaging.FileSystems.Fat;
using EzioPxe.Imaging.FileSystems.Ntfs;
using EzioPxe.Imaging.FileSystems.Swap;

namespace EzioPxe.Imaging.FileSystems;

/// <summary>
/// Recognises the filesystem at the start of a region by its signature and reads its used
/// extents. The outcome is one of three: used extents; unknown (no signature we know); or
/// damaged (a signature we know but structures that do not add up, with the reason).
/// </summary>
public static class FileSystemDetector
{
    public static FileSystemScanResult Scan(DiskImage disk, long start, long length)
    {
        // NTFS before FAT: both start with a jump and a BPB, only NTFS has "NTFS    " at 3.
        if (NtfsScanner.Matches(disk, start, length))
        {
            return Try(FileSystemKind.Ntfs, () => NtfsScanner.Scan(disk, start, length));
        }
        if (ExtScanner.Matches(disk, start, length))
        {
            return Try(ExtScanner.Guess(disk, start), () => ExtScanner.Scan(disk, start, length));
        }
        if (SwapScanner.Matches(disk, start, length))
        {
            return Try(FileSystemKind.Swap, () => SwapScanner.Scan(disk, start, length));
        }
        if (FatScanner.Matches(disk, start, length))
        {
            return Try(FatScanner.Guess(disk, start), () => FatScanner.Scan(disk, start, length));
        }
        return new FileSystemScanResult(FileSystemKind.Unknown, null, null);
    }

    private static FileSystemScanResult Try(FileSystemKind guess, Func<FileSystemUsage> scan)
    {
        try
        {
            var usage = scan();
            return new FileSystemScanResult(usage.Kind, usage, null);
        }
        catch (DiskFormatException e)
        {
            return new FileSystemScanResult(guess, null, e.Message);
        }
    }
}
