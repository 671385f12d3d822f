using EzioPxe.Contracts.Images;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.FileSystems;
using EzioPxe.Imaging.Partitions;

namespace EzioPxe.Imaging;

/// <summary>
/// Decides which bytes of a disk image travel and which the client zeroes. It finds the used
/// bytes from metadata (the partition table, each filesystem's superblock and allocation
/// bitmap), then reads them to tell zero runs from data; holes of a sparse image are zeros
/// without reading.
/// Rules, in order:
/// - the boot regions of the partition table (MBR/GPT structures, the gap before the first
///   partition, EBRs, the backup GPT) are kept minus runs of zeros, and those runs go to the
///   list of ranges the client zeroes (they must read as zeros whatever the target held);
/// - the two GPT header sectors do not travel: the torrent carries the primary header and the
///   client writes both, fitted to its disk;
/// - each partition with a filesystem we read contributes its used blocks, minus zero runs of
///   64 KiB or more, which go to the zero list (they read as zeros on the target all the same);
/// - any other partition is kept whole minus runs of zeros (zeroed on the target), with a note saying why;
/// - unpartitioned space between and after partitions is not kept;
/// - a disk without a usable partition table is one region: a filesystem on the bare disk is
///   read as such, anything else is kept whole minus runs of zeros.
/// </summary>
public static class DiskScanner
{
    public static DiskScan Scan(string path)
    {
        using var disk = DiskImage.Open(path);
        return Scan(disk);
    }

    public static DiskScan Scan(DiskImage disk)
    {
        var layout = PartitionTableReader.Read(disk);
        var all = new ExtentListBuilder();
        var notes = new List<string>(layout.Notes);
        var partitions = new List<ScannedPartition>();

        var zeros = new ExtentListBuilder();
        var boot = new ExtentListBuilder();
        foreach (var region in layout.BootRegions)
        {
            ZeroRuns.AddNonZero(disk, region.Offset, region.Length, boot, zeros);
        }
        var bootExtents = boot.Build(disk.Size);
        all.AddRange(bootExtents);

        if (layout.Kind == PartitionTableKind.None)
        {
            partitions.Add(ScanRegion(disk, new PartitionEntry(0, 0, disk.Size, "disk", ""), all, zeros));
        }
        else
        {
            foreach (var entry in layout.Partitions)
            {
                partitions.Add(ScanRegion(disk, entry, all, zeros));
            }
        }

        // The client fits this header to its disk; one it would refuse (a truncated image whose
        // backup lies past the end, odd geometry) travels as it is instead.
        var gptHeader = layout.GptHeader;
        if (gptHeader != null && FitProblem(gptHeader, disk.Size) is { } problem)
        {
            notes.Add($"the GPT header sectors travel as they are ({problem}), so a larger target keeps its backup GPT where the image has it");
            gptHeader = null;
        }
        var clientWritten = gptHeader != null ? new ExtentListBuilder().Also(layout.HeaderSectors ?? []).Build(disk.Size) : [];
        var travel = ExtentListBuilder.Subtract(all.Build(disk.Size), clientWritten);
        var zero = ExtentListBuilder.Subtract(ExtentListBuilder.Subtract(zeros.Build(disk.Size), travel), clientWritten);
        return new DiskScan(disk.Path, disk.Size, layout.Kind, partitions, ExtentListBuilder.TotalLength(bootExtents), travel, notes)
        {
            ZeroExtents = zero,
            GptHeader = gptHeader,
        };
    }

    private static ScannedPartition ScanRegion(DiskImage disk, PartitionEntry entry, ExtentListBuilder all, ExtentListBuilder zeros)
    {
        var notes = new List<string>();
        if (entry.Start >= disk.Size)
        {
            notes.Add($"starts at byte {entry.Start}, past the end of the disk ({disk.Size} bytes): the image is truncated; nothing of it can be kept");
            return new ScannedPartition(entry.Index, entry.Type, entry.Name, entry.Start, entry.Length, FileSystemKind.Unknown, "", 0, KeptWhole: true, notes);
        }
        var available = Math.Min(entry.Length, disk.Size - entry.Start);
        if (available < entry.Length)
        {
            notes.Add($"ends at byte {entry.End} but the disk has only {disk.Size} bytes: the image is truncated; {entry.Length - available} bytes of the partition are missing");
        }

        var result = FileSystemDetector.Scan(disk, entry.Start, entry.Length);
        var part = new ExtentListBuilder();
        long used;
        var keptWhole = result.Usage == null;
        if (result.Usage is { } usage)
        {
            // Used blocks that are zero (inode tables, a fresh journal, preallocated files) need
            // not travel either: long zero runs of them go to the zero list.
            used = 0;
            foreach (var extent in usage.UsedExtents)
            {
                used += ZeroRuns.AddNonZero(disk, extent.Offset + entry.Start, extent.Length, part, zeros, ZeroRuns.UsedExtentMinimumZeroRun);
            }
            all.AddRange(part.Build(disk.Size));
        }
        else
        {
            notes.Add(result.Damage != null
                ? $"damaged {Describe(result.Kind)}: {result.Damage}; the partition is kept whole minus runs of zeros"
                : "no filesystem the scanner knows (ext2/3/4, FAT12/16/32, NTFS, swap); the partition is kept whole minus runs of zeros");
            used = ZeroRuns.AddNonZero(disk, entry.Start, available, part, zeros);
            all.AddRange(part.Build(disk.Size));
        }
        var label = result.Usage?.Label ?? "";
        return new ScannedPartition(entry.Index, entry.Type, entry.Name, entry.Start, entry.Length, result.Kind, label, used, keptWhole, notes);
    }

    private static string? FitProblem(byte[] header, long diskSize)
    {
        try
        {
            GptFit.For(header, diskSize);
            return null;
        }
        catch (Engine.Metainfo.InvalidTorrentException e)
        {
            return e.Message;
        }
    }

    /// <summary>Lower-case filesystem name as tools print it: ext4, fat32, ntfs, swap, unknown.</summary>
    public static string Describe(FileSystemKind kind) => kind.ToString().ToLowerInvariant();
}
