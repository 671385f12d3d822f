using System.Buffers.Binary;
using System.Collections;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.FileSystems.Fat;

/// <summary>
/// Used sectors of a FAT12/16/32 volume: the reserved sectors (boot sector, FSInfo, backup boot
/// sector), the FATs, the fixed root directory of FAT12/16, and every cluster whose FAT entry is
/// not free (and not marked bad). The first FAT is checked while we read it: an entry pointing
/// outside the volume, two chains sharing a cluster, a chain running into a free cluster or a
/// chain looping on itself means the FAT cannot be trusted, and the volume is kept whole instead.
/// </summary>
public static class FatScanner
{
    public static bool Matches(DiskImage disk, long start, long length)
    {
        if (length < 512 || start + 512 > disk.Size)
        {
            return false;
        }
        return FatBootSector.LooksLikeFat(disk.Read(start, 512));
    }

    public static FileSystemKind Guess(DiskImage disk, long start)
    {
        var s = disk.Read(start, 512);
        return BinaryPrimitives.ReadUInt16LittleEndian(s.AsSpan(22)) == 0 ? FileSystemKind.Fat32 : FileSystemKind.Fat16;
    }

    public static FileSystemUsage Scan(DiskImage disk, long start, long length)
    {
        var boot = FatBootSector.Parse(disk.Read(start, 512), Math.Min(length, disk.Size - start));
        var fatBytes = boot.SectorsPerFat * boot.BytesPerSector;
        if (fatBytes > int.MaxValue)
        {
            throw new DiskFormatException($"FAT of {fatBytes} bytes is larger than any valid FAT32");
        }
        var fat = disk.Read(start + (long)boot.ReservedSectors * boot.BytesPerSector, (int)fatBytes);
        var next = ReadEntries(fat, boot);
        Check(next, boot);

        var used = new ExtentListBuilder();
        var sector = (long)boot.BytesPerSector;
        used.Add(0, boot.FirstDataSector * sector);
        var dataStart = boot.FirstDataSector * sector;
        long clusterBytes = boot.ClusterBytes;
        for (long cluster = 2; cluster < next.Length; cluster++)
        {
            if (next[cluster] != Free && next[cluster] != Bad)
            {
                used.Add(dataStart + (cluster - 2) * clusterBytes, clusterBytes);
            }
        }
        return new FileSystemUsage(boot.Kind, boot.Label, used.Build());
    }

    // Entry values normalised over the three widths: Free, Bad, EndOfChain, or the next cluster.
    private const uint Free = 0;
    private const uint Bad = 0xFFFFFFF7;
    private const uint EndOfChain = 0xFFFFFFFF;
    private const uint Reserved = 0xFFFFFFF0;

    private static uint[] ReadEntries(ReadOnlySpan<byte> fat, FatBootSector boot)
    {
        var count = boot.ClusterCount + 2;
        var entries = new uint[count];
        var (bad, endOfChain, reserved) = boot.Kind switch
        {
            FileSystemKind.Fat12 => (0xFF7u, 0xFF8u, 0xFF0u),
            FileSystemKind.Fat16 => (0xFFF7u, 0xFFF8u, 0xFFF0u),
            _ => (0x0FFFFFF7u, 0x0FFFFFF8u, 0x0FFFFFF0u),
        };
        for (var n = 2; n < count; n++)
        {
            uint raw = boot.Kind switch
            {
                FileSystemKind.Fat12 => (n & 1) == 0
                    ? BinaryPrimitives.ReadUInt16LittleEndian(fat[(n * 3 / 2)..]) & 0xFFFu
                    : (uint)BinaryPrimitives.ReadUInt16LittleEndian(fat[(n * 3 / 2)..]) >> 4,
                FileSystemKind.Fat16 => BinaryPrimitives.ReadUInt16LittleEndian(fat[(n * 2)..]),
                // The top 4 bits of a FAT32 entry are reserved and must be ignored.
                _ => BinaryPrimitives.ReadUInt32LittleEndian(fat[(n * 4)..]) & 0x0FFFFFFFu,
            };
            entries[n] = raw == 0 ? Free
                : raw == bad ? Bad
                : raw >= endOfChain ? EndOfChain
                : raw >= reserved ? Reserved
                : raw;
        }
        return entries;
    }

    private static void Check(uint[] next, FatBootSector boot)
    {
        var lastCluster = (uint)(next.Length - 1);
        var hasPredecessor = new BitArray(next.Length);
        for (uint cluster = 2; cluster < next.Length; cluster++)
        {
            var n = next[cluster];
            if (n is Free or Bad or EndOfChain)
            {
                continue;
            }
            if (n == Reserved || n < 2 || n > lastCluster)
            {
                throw new DiskFormatException($"{Name(boot)}: cluster {cluster} points to cluster 0x{n:x}, outside the volume's clusters 2..{lastCluster}");
            }
            if (next[n] is Free or Bad)
            {
                throw new DiskFormatException($"{Name(boot)}: the chain through cluster {cluster} runs into {(next[n] == Free ? "free" : "bad")} cluster {n}");
            }
            if (hasPredecessor[(int)n])
            {
                throw new DiskFormatException($"{Name(boot)}: cluster {n} is claimed by two chains (cross-linked)");
            }
            hasPredecessor[(int)n] = true;
        }
        // With at most one predecessor per cluster, every chain that starts at a head ends; an
        // allocated cluster no head reaches is on a loop.
        var reached = new BitArray(next.Length);
        for (uint cluster = 2; cluster < next.Length; cluster++)
        {
            if (next[cluster] is Free or Bad || hasPredecessor[(int)cluster])
            {
                continue;
            }
            for (var c = cluster; ; c = next[c])
            {
                reached[(int)c] = true;
                if (next[c] == EndOfChain)
                {
                    break;
                }
            }
        }
        for (uint cluster = 2; cluster < next.Length; cluster++)
        {
            if (next[cluster] is not (Free or Bad) && !reached[(int)cluster])
            {
                throw new DiskFormatException($"{Name(boot)}: the cluster chain through cluster {cluster} loops back on itself");
            }
        }
    }

    private static string Name(FatBootSector boot) => boot.Kind.ToString().ToUpperInvariant() + " allocation table is corrupt";
}
