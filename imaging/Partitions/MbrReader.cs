using System.Buffers.Binary;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Partitions;

/// <summary>
/// The classic PC partition table: four 16-byte entries at offset 446 of sector 0, signature
/// 0x55 0xAA at 510. An extended partition (type 0x05, 0x0F or 0x85) holds a chain of EBRs,
/// each with one logical partition (relative to the EBR) and a link to the next EBR (relative
/// to the start of the extended partition).
/// </summary>
public static class MbrReader
{
    private const int EntriesOffset = 446;
    private const int EntrySize = 16;
    private const int MaxLogicalPartitions = 256;
    private const byte ProtectiveGptType = 0xEE;

    /// <summary>True if sector 0 carries the 0x55AA signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> sector0) =>
        sector0.Length >= 512 && sector0[510] == 0x55 && sector0[511] == 0xAA;

    /// <summary>True if a primary entry has type 0xEE: a protective MBR in front of a GPT.</summary>
    public static bool IsProtective(ReadOnlySpan<byte> sector0)
    {
        for (var i = 0; i < 4; i++)
        {
            if (sector0[EntriesOffset + i * EntrySize + 4] == ProtectiveGptType)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads the table; returns null when sector 0 is not an MBR with at least one partition
    /// (no signature, status bytes other than 0x00/0x80 as in a filesystem boot sector, or all
    /// entries empty).
    /// </summary>
    public static PartitionLayout? Read(DiskImage disk)
    {
        const int sector = DiskImage.SectorSize;
        var sector0 = disk.Read(0, sector);
        if (!HasSignature(sector0))
        {
            return null;
        }
        var partitions = new List<PartitionEntry>();
        var bootRegions = new List<Extent>();
        var notes = new List<string>();
        long? extendedStart = null;
        long extendedLength = 0;
        for (var i = 0; i < 4; i++)
        {
            var entry = sector0.AsSpan(EntriesOffset + i * EntrySize, EntrySize);
            var status = entry[0];
            var type = entry[4];
            var startLba = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            var sectors = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
            if (status != 0x00 && status != 0x80)
            {
                return null; // Boot code of a filesystem boot sector, not a partition table.
            }
            if (type == 0 || sectors == 0)
            {
                continue;
            }
            if (IsExtended(type))
            {
                extendedStart = (long)startLba * sector;
                extendedLength = (long)sectors * sector;
                continue;
            }
            partitions.Add(new PartitionEntry(i + 1, (long)startLba * sector, (long)sectors * sector, $"0x{type:x2}", ""));
        }
        if (extendedStart is long extStart)
        {
            ReadLogicalPartitions(disk, extStart, extendedLength, partitions, bootRegions, notes);
        }
        if (partitions.Count == 0 && extendedStart == null)
        {
            return null;
        }
        // Sector 0 up to the first partition: the MBR boot code and the gap where GRUB and other
        // boot loaders put their core image (usually the first MiB).
        var firstStart = partitions.Count > 0 ? partitions.Min(p => p.Start) : extendedStart ?? sector;
        firstStart = Math.Min(firstStart, extendedStart ?? long.MaxValue);
        bootRegions.Insert(0, new Extent(0, Math.Max(firstStart, sector)));
        partitions.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new PartitionLayout(PartitionTableKind.Mbr, partitions, bootRegions, notes);
    }

    private static bool IsExtended(byte type) => type is 0x05 or 0x0F or 0x85;

    private static void ReadLogicalPartitions(DiskImage disk, long extendedStart, long extendedLength,
        List<PartitionEntry> partitions, List<Extent> bootRegions, List<string> notes)
    {
        const int sector = DiskImage.SectorSize;
        var ebrOffset = extendedStart;
        var visited = new HashSet<long>();
        var index = 5;
        while (true)
        {
            if (!visited.Add(ebrOffset) || visited.Count > MaxLogicalPartitions)
            {
                notes.Add($"the chain of extended boot records loops or is too long at offset {ebrOffset}; logical partitions after it are ignored");
                return;
            }
            if (ebrOffset + sector > disk.Size)
            {
                notes.Add($"extended boot record at offset {ebrOffset} is past the end of the disk ({disk.Size} bytes): the image is truncated; logical partitions from here on are missing");
                return;
            }
            var ebr = disk.Read(ebrOffset, sector);
            if (!HasSignature(ebr))
            {
                notes.Add($"extended boot record at offset {ebrOffset} has no 0x55AA signature; logical partitions from here on are ignored");
                bootRegions.Add(new Extent(ebrOffset, sector));
                return;
            }
            var logical = ebr.AsSpan(EntriesOffset, EntrySize);
            var link = ebr.AsSpan(EntriesOffset + EntrySize, EntrySize);
            var logicalSectors = BinaryPrimitives.ReadUInt32LittleEndian(logical[12..]);
            var ebrRegionEnd = ebrOffset + sector;
            if (logical[4] != 0 && logicalSectors != 0)
            {
                var start = ebrOffset + (long)BinaryPrimitives.ReadUInt32LittleEndian(logical[8..]) * sector;
                var length = (long)logicalSectors * sector;
                if (start + length > extendedStart + extendedLength)
                {
                    notes.Add($"logical partition {index} ends past its extended partition");
                }
                partitions.Add(new PartitionEntry(index, start, length, $"0x{logical[4]:x2}", ""));
                // The EBR and the alignment gap up to its logical partition travel together.
                ebrRegionEnd = Math.Max(ebrRegionEnd, start);
            }
            bootRegions.Add(new Extent(ebrOffset, ebrRegionEnd - ebrOffset));
            index++;
            var nextSectors = BinaryPrimitives.ReadUInt32LittleEndian(link[8..]);
            if (link[4] == 0 || nextSectors == 0 && BinaryPrimitives.ReadUInt32LittleEndian(link[12..]) == 0)
            {
                return;
            }
            ebrOffset = extendedStart + (long)nextSectors * sector;
        }
    }
}
