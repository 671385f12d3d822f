namespace EzioPxe.Imaging.Partitions;

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
            var gpt = GptReader.Read(disk, notes);
            if (gpt == null && disk.Size >= 8192 && disk.Read(4096, 8).AsSpan().SequenceEqual("EFI PART"u8))
            {
                notes.Add("the GPT is laid out for 4096-byte sectors, which the scanner does not read (it assumes 512-byte sectors)");
            }
            return gpt ?? None(notes);
        }
        var mbr = MbrReader.Read(disk);
        return mbr ?? None(notes);
    }

    private static PartitionLayout None(List<string> notes) =>
        new(PartitionTableKind.None, Array.Empty<PartitionEntry>(), Array.Empty<Extents.Extent>(), notes);
}
