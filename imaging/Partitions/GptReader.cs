using System.Buffers.Binary;
using System.Text;
using EzioPxe.Contracts.Images;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Partitions;

/// <summary>
/// GUID Partition Table: primary header at LBA 1 followed by its entry array, backup entry array
/// and header at the end of the disk. Both carry CRC32s; when the primary is damaged we use the
/// backup and say so, when both are damaged the caller treats the disk as unpartitioned.
/// </summary>
public static class GptReader
{
    /// <summary>Reads the GPT; returns null (with notes saying why) when neither copy is usable.</summary>
    public static PartitionLayout? Read(DiskImage disk, List<string> notes)
    {
        const int sector = DiskImage.SectorSize;
        var lastLba = disk.Size / sector - 1;
        var (primary, primaryEntries, primaryProblem, primarySector) = ReadCopy(disk, 1);
        GptHeader? backup = null;
        byte[]? backupEntries = null;
        string backupProblem;
        // The backup is at the last LBA of the disk; a good primary tells us where it expects it.
        var backupLba = primary?.AlternateLba ?? lastLba;
        if (backupLba > lastLba || backupLba < 2)
        {
            backupProblem = $"it should be at LBA {backupLba}, beyond the end of the disk (last LBA {lastLba}): the image is truncated";
        }
        else
        {
            (backup, backupEntries, backupProblem, _) = ReadCopy(disk, backupLba);
        }

        GptHeader header;
        byte[] entries;
        if (primary != null)
        {
            header = primary;
            entries = primaryEntries!;
            if (backup == null)
            {
                notes.Add($"backup GPT header is damaged or missing ({backupProblem}); using the primary");
            }
        }
        else if (backup != null)
        {
            header = backup;
            entries = backupEntries!;
            notes.Add($"primary GPT header is damaged ({primaryProblem}); using the backup header at LBA {backupLba}");
        }
        else
        {
            notes.Add($"both GPT headers are damaged (primary: {primaryProblem}; backup: {backupProblem}); treating the disk as unpartitioned: kept whole minus runs of zeros");
            return null;
        }

        var partitions = new List<PartitionEntry>();
        for (var i = 0; i < header.EntryCount; i++)
        {
            var entry = entries.AsSpan(i * header.EntrySize, header.EntrySize);
            var typeGuid = new Guid(entry[..16]);
            if (typeGuid == Guid.Empty)
            {
                continue;
            }
            var firstLba = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
            var lastLbaOfPartition = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[40..]);
            if (lastLbaOfPartition < firstLba)
            {
                notes.Add($"GPT entry {i + 1} ends before it starts; ignored");
                continue;
            }
            var name = Encoding.Unicode.GetString(entry.Slice(56, 72)).TrimEnd('\0');
            partitions.Add(new PartitionEntry(i + 1, firstLba * sector, (lastLbaOfPartition - firstLba + 1) * sector, typeGuid.ToString(), name));
        }

        // Kept: the protective MBR, primary header and entries and any gap before the first
        // partition; at the end, the backup entries and header after the last usable LBA.
        var firstStart = partitions.Count > 0 ? partitions.Min(p => p.Start) : (header.FirstUsableLba * sector);
        var bootRegions = new List<Extent> { new(0, Math.Max(firstStart, 2 * sector)) };
        var tailStart = (header.LastUsableLba + 1) * sector;
        if (tailStart < disk.Size)
        {
            bootRegions.Add(new Extent(tailStart, disk.Size - tailStart));
        }
        if (primary == null)
        {
            // The client would have to rebuild the primary from the backup, and the primary entry
            // array may be as damaged as its header: send the header sectors as they are instead.
            notes.Add("the GPT header sectors travel as they are (the primary is damaged), so a larger target keeps its backup GPT where the image has it");
            return new PartitionLayout(PartitionTableKind.Gpt, partitions, bootRegions, notes);
        }
        var headerSectors = new List<Extent> { new(sector, sector) };
        if (primary.AlternateLba * sector >= tailStart)
        {
            headerSectors.Add(new Extent(primary.AlternateLba * sector, sector));
        }
        return new PartitionLayout(PartitionTableKind.Gpt, partitions, bootRegions, notes, primarySector![..primary.HeaderSize], headerSectors);
    }

    private static (GptHeader? Header, byte[]? Entries, string Problem, byte[]? Sector) ReadCopy(DiskImage disk, long lba)
    {
        const int sector = DiskImage.SectorSize;
        if ((lba + 1) * sector > disk.Size)
        {
            return (null, null, $"LBA {lba} is past the end of the disk", null);
        }
        var bytes = disk.Read(lba * sector, sector);
        var header = GptHeader.Parse(bytes, lba, out var problem);
        if (header == null)
        {
            return (null, null, problem, null);
        }
        if ((header.EntriesLba * sector) + header.EntriesBytes > disk.Size)
        {
            return (null, null, $"its entry array at LBA {header.EntriesLba} is past the end of the disk", null);
        }
        var entries = disk.Read(header.EntriesLba * sector, (int)header.EntriesBytes);
        var crc = Crc32.Compute(entries);
        if (crc != header.EntriesCrc)
        {
            return (null, null, $"entry array CRC mismatch (stored 0x{header.EntriesCrc:x8}, computed 0x{crc:x8})", null);
        }
        return (header, entries, "", bytes);
    }
}
