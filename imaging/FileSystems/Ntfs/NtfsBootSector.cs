using System.Buffers.Binary;

namespace EzioPxe.Imaging.FileSystems.Ntfs;

/// <summary>The NTFS boot sector: geometry and where the MFT starts.</summary>
public sealed class NtfsBootSector
{
    private NtfsBootSector()
    {
    }

    public int BytesPerSector { get; private init; }
    public int ClusterSize { get; private init; }
    public long TotalSectors { get; private init; }
    public long MftCluster { get; private init; }
    public int MftRecordSize { get; private init; }

    public long ClusterCount => TotalSectors * BytesPerSector / ClusterSize;

    public static bool HasSignature(ReadOnlySpan<byte> s) => s.Slice(3, 8).SequenceEqual("NTFS    "u8);

    public static NtfsBootSector Parse(ReadOnlySpan<byte> s, long partitionLength)
    {
        void Fail(string what) => throw new DiskFormatException($"NTFS boot sector is corrupt: {what}");
        var bps = BinaryPrimitives.ReadUInt16LittleEndian(s[0x0B..]);
        if (bps is not (512 or 1024 or 2048 or 4096))
        {
            Fail($"{bps} bytes per sector");
        }
        // Sectors per cluster: values above 0x80 are negative powers, 2^(256 - value) (large clusters).
        var spcByte = s[0x0D];
        long spc = spcByte <= 0x80 ? spcByte : 1L << (256 - spcByte);
        if (spc == 0 || (spc & (spc - 1)) != 0 || spc * bps > (2 << 20))
        {
            Fail($"sectors per cluster byte 0x{spcByte:x2}");
        }
        // Clusters per MFT record: negative means the record is 2^-value bytes.
        var perRecord = (sbyte)s[0x40];
        long recordSize = perRecord > 0 ? perRecord * spc * bps : 1L << -perRecord;
        if (recordSize < 512 || recordSize > 65536)
        {
            Fail($"MFT record size {recordSize}");
        }
        var boot = new NtfsBootSector
        {
            BytesPerSector = bps,
            ClusterSize = (int)(spc * bps),
            TotalSectors = BinaryPrimitives.ReadInt64LittleEndian(s[0x28..]),
            MftCluster = BinaryPrimitives.ReadInt64LittleEndian(s[0x30..]),
            MftRecordSize = (int)recordSize,
        };
        if (boot.TotalSectors <= 0)
        {
            Fail($"{boot.TotalSectors} sectors");
        }
        if (boot.TotalSectors * bps > partitionLength)
        {
            throw new DiskFormatException(
                $"the NTFS volume is {boot.TotalSectors * bps} bytes but its partition (or what is left of it on the disk) is only {partitionLength} bytes: the image is truncated or the boot sector is corrupt");
        }
        if (boot.MftCluster <= 0 || boot.MftCluster >= boot.ClusterCount)
        {
            Fail($"MFT at cluster {boot.MftCluster} is outside the volume ({boot.ClusterCount} clusters)");
        }
        return boot;
    }
}
