namespace EzioPxe.Server.Imaging.Partitions;

/// <summary>Finds the disk's partition table: GPT (behind a protective MBR), MBR, or none.</summary>
public static class PartitionTableReader
{
    public static PartitionLayout Read(DiskImage disk)
    {
        const int sector = DiskImage.SectorSize;
        var notes = new List<string>();
        if (disk.Size < 2 * sector)
        {
            notes.Add($"the disk is only {disk.Size} bytes: no room for a partition table");
            return None(notes);
        }
        var sector0 = disk.Read(0, sector);
        var lba1 = disk.Read(sector, sector);
        var looksGpt = (MbrReader.HasSignature(sector0) && MbrReader.IsProtective(sector0)) || lba1.AsSpan(0, 8).SequenceEqual("EFI PART"u8);
        if (looksGpt)
        {
            return GptReader.Read(disk, notes) ?? None(notes);
        }
        var mbr = MbrReader.Read(disk);
        return mbr ?? None(notes);
    }

    private static PartitionLayout None(List<string> notes) =>
        new(PartitionTableKind.None, Array.Empty<PartitionEntry>(), Array.Empty<Extents.Extent>(), notes);
}
