using System.Buffers.Binary;
using System.Text;

namespace EzioPxe.Imaging.FileSystems.Fat;

/// <summary>
/// The BIOS parameter block of a FAT volume (Microsoft FAT specification, "FAT: General Overview
/// of On-Disk Format"). The FAT type is decided by the cluster count alone, as the spec demands:
/// fewer than 4085 clusters is FAT12, fewer than 65525 is FAT16, anything else FAT32.
/// </summary>
public sealed class FatBootSector
{
    private FatBootSector()
    {
    }

    public int BytesPerSector { get; private init; }
    public int SectorsPerCluster { get; private init; }
    public int ReservedSectors { get; private init; }
    public int FatCount { get; private init; }
    public int RootEntries { get; private init; }
    public long TotalSectors { get; private init; }
    public long SectorsPerFat { get; private init; }
    public uint RootCluster { get; private init; }
    public string Label { get; private init; } = "";

    public long RootDirectorySectors => ((long)RootEntries * 32 + BytesPerSector - 1) / BytesPerSector;

    public long FirstDataSector => ReservedSectors + FatCount * SectorsPerFat + RootDirectorySectors;

    public long ClusterCount => (TotalSectors - FirstDataSector) / SectorsPerCluster;

    public int ClusterBytes => BytesPerSector * SectorsPerCluster;

    public FileSystemKind Kind => ClusterCount < 4085 ? FileSystemKind.Fat12 : ClusterCount < 65525 ? FileSystemKind.Fat16 : FileSystemKind.Fat32;

    /// <summary>A cheap look at the jump instruction and BPB, enough to tell FAT from other boot sectors.</summary>
    public static bool LooksLikeFat(ReadOnlySpan<byte> s)
    {
        var jumpOk = (s[0] == 0xEB && s[2] == 0x90) || s[0] == 0xE9;
        var bps = BinaryPrimitives.ReadUInt16LittleEndian(s[11..]);
        var spc = s[13];
        var reserved = BinaryPrimitives.ReadUInt16LittleEndian(s[14..]);
        return jumpOk && bps is 512 or 1024 or 2048 or 4096 && spc != 0 && (spc & (spc - 1)) == 0 && reserved >= 1 && s[16] >= 1;
    }

    public static FatBootSector Parse(ReadOnlySpan<byte> s, long partitionLength)
    {
        var fatSize16 = BinaryPrimitives.ReadUInt16LittleEndian(s[22..]);
        var totalSectors16 = BinaryPrimitives.ReadUInt16LittleEndian(s[19..]);
        var isFat32Bpb = fatSize16 == 0;
        var boot = new FatBootSector
        {
            BytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(s[11..]),
            SectorsPerCluster = s[13],
            ReservedSectors = BinaryPrimitives.ReadUInt16LittleEndian(s[14..]),
            FatCount = s[16],
            RootEntries = BinaryPrimitives.ReadUInt16LittleEndian(s[17..]),
            TotalSectors = totalSectors16 != 0 ? totalSectors16 : BinaryPrimitives.ReadUInt32LittleEndian(s[32..]),
            SectorsPerFat = isFat32Bpb ? BinaryPrimitives.ReadUInt32LittleEndian(s[36..]) : fatSize16,
            RootCluster = isFat32Bpb ? BinaryPrimitives.ReadUInt32LittleEndian(s[44..]) : 0,
            Label = Encoding.ASCII.GetString(s.Slice(isFat32Bpb ? 0x47 : 0x2B, 11)).TrimEnd(' ', '\0'),
        };
        void Fail(string what) => throw new DiskFormatException($"FAT boot sector is corrupt: {what}");
        if (boot.TotalSectors == 0)
        {
            Fail("total sector count is 0");
        }
        if (boot.SectorsPerFat == 0)
        {
            Fail("FAT size is 0");
        }
        if (boot.FirstDataSector >= boot.TotalSectors)
        {
            Fail($"data area starts at sector {boot.FirstDataSector}, beyond the {boot.TotalSectors} sectors of the volume");
        }
        if (boot.TotalSectors * boot.BytesPerSector > partitionLength)
        {
            throw new DiskFormatException(
                $"the FAT volume is {boot.TotalSectors * boot.BytesPerSector} bytes but its partition (or what is left of it on the disk) is only {partitionLength} bytes: the image is truncated or the boot sector is corrupt");
        }
        if (boot.Kind == FileSystemKind.Fat32 && !isFat32Bpb)
        {
            Fail($"{boot.ClusterCount} clusters need FAT32 but the boot sector has a FAT12/16 parameter block");
        }
        var bitsPerEntry = boot.Kind switch { FileSystemKind.Fat12 => 12, FileSystemKind.Fat16 => 16, _ => 32 };
        if (boot.SectorsPerFat * boot.BytesPerSector * 8 / bitsPerEntry < boot.ClusterCount + 2)
        {
            Fail($"a FAT of {boot.SectorsPerFat} sectors cannot describe {boot.ClusterCount} clusters");
        }
        return boot;
    }
}
