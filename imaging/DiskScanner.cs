using EzioPxe.Contracts.Images;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.FileSystems;
using EzioPxe.Imaging.Hashing;
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

    public static DiskScan Scan(DiskImage disk) => Scan(disk, startHashing: null).Scan;

    /// <summary>
    /// Scans the disk. Once the metadata says how many bytes at most will travel (the stored
    /// bytes of the regions to read), <paramref name="startHashing"/> may return a sink for what
    /// travels, which the scan reads anyway. It is used only when the regions do not overlap, so
    /// that the bytes come in disk order, each once; otherwise the scan goes on without it (see
    /// <see cref="Hashing.ImageHashing"/>). Returns the scan and whether the sink got every byte
    /// that travels.
    /// </summary>
    internal static (DiskScan Scan, bool Streamed) Scan(DiskImage disk, Func<long, ITravelSink?>? startHashing, CancellationToken cancellationToken = default)
    {
        var layout = PartitionTableReader.Read(disk);
        var notes = new List<string>(layout.Notes);

        // First what the metadata says: the regions to read, each with the shortest zero run cut out of it.
        var regions = new List<Region>();
        foreach (var region in layout.BootRegions)
        {
            regions.Add(new Region(region.Offset, region.Length, ZeroRuns.BlockSize, Owner: -1));
        }
        var planned = new List<ScannedPartition>(); // their used bytes are counted by the read
        if (layout.Kind == PartitionTableKind.None)
        {
            planned.Add(PlanRegion(disk, new PartitionEntry(0, 0, disk.Size, "disk", ""), regions, planned.Count));
        }
        else
        {
            foreach (var entry in layout.Partitions)
            {
                planned.Add(PlanRegion(disk, entry, regions, planned.Count));
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

        // Then one read of them in disk order. The order does not change what is kept (every list
        // is sorted and merged at the end); it lets what travels be hashed as it is read.
        regions.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        ITravelSink? sink = null;
        if (startHashing != null && Disjoint(regions, disk.Size))
        {
            // At most what is stored in them travels (a sparse image's holes are zeros, and cut out if long).
            sink = startHashing(regions.Sum(r => disk.DataWithin(r.Offset, Math.Min(r.End, disk.Size)).Sum(d => d.End - d.Start)));
            if (sink != null && clientWritten.Count > 0)
            {
                sink = new ExcludingSink(sink, clientWritten);
            }
        }
        var zeros = new ExtentListBuilder();
        var boot = new ExtentListBuilder();
        var kept = planned.Select(_ => new ExtentListBuilder()).ToList();
        var used = new long[planned.Count];
        foreach (var region in regions)
        {
            var into = region.Owner < 0 ? boot : kept[region.Owner];
            var bytes = ZeroRuns.AddNonZero(disk, region.Offset, region.Length, into, zeros, region.MinimumZeroRun, sink, cancellationToken);
            if (region.Owner >= 0)
            {
                used[region.Owner] += bytes;
            }
        }

        var all = new ExtentListBuilder();
        var bootExtents = boot.Build(disk.Size);
        all.AddRange(bootExtents);
        foreach (var part in kept)
        {
            all.AddRange(part.Build(disk.Size));
        }
        var partitions = planned.Select((p, i) => p with { UsedBytes = used[i] }).ToList();
        var travel = ExtentListBuilder.Subtract(all.Build(disk.Size), clientWritten);
        var zero = ExtentListBuilder.Subtract(ExtentListBuilder.Subtract(zeros.Build(disk.Size), travel), clientWritten);
        var scan = new DiskScan(disk.Path, disk.Size, layout.Kind, partitions, ExtentListBuilder.TotalLength(bootExtents), travel, notes)
        {
            ZeroExtents = zero,
            GptHeader = gptHeader,
        };
        return (scan, sink != null);
    }

    /// <summary>A range to read, the shortest zero run cut out of it, and the partition it counts for (-1: the boot regions).</summary>
    private readonly record struct Region(long Offset, long Length, long MinimumZeroRun, int Owner)
    {
        public long End => Offset + Length;
    }

    private static bool Disjoint(List<Region> sorted, long diskSize)
    {
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Offset < Math.Min(sorted[i - 1].End, diskSize))
            {
                return false;
            }
        }
        return true;
    }

    private static ScannedPartition PlanRegion(DiskImage disk, PartitionEntry entry, List<Region> regions, int owner)
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
        var keptWhole = result.Usage == null;
        if (result.Usage is { } usage)
        {
            // Used blocks that are zero (inode tables, a fresh journal, preallocated files) need
            // not travel either: long zero runs of them go to the zero list.
            foreach (var extent in usage.UsedExtents)
            {
                regions.Add(new Region(extent.Offset + entry.Start, extent.Length, ZeroRuns.UsedExtentMinimumZeroRun, owner));
            }
        }
        else
        {
            notes.Add(result.Damage != null
                ? $"damaged {Describe(result.Kind)}: {result.Damage}; the partition is kept whole minus runs of zeros"
                : "no filesystem the scanner knows (ext2/3/4, FAT12/16/32, NTFS, swap); the partition is kept whole minus runs of zeros");
            regions.Add(new Region(entry.Start, available, ZeroRuns.BlockSize, owner));
        }
        var label = result.Usage?.Label ?? "";
        return new ScannedPartition(entry.Index, entry.Type, entry.Name, entry.Start, entry.Length, result.Kind, label, 0, keptWhole, notes);
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
