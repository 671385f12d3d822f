using System.Buffers.Binary;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.FileSystems.Ntfs;

/// <summary>
/// Used clusters of an NTFS volume from $Bitmap (MFT record 6): one bit per cluster, set when
/// allocated. The $Bitmap record is found at a fixed position in the MFT's first extent, its
/// unnamed $DATA attribute's run list says where the bitmap's clusters are. The backup boot
/// sector, which sits in the sector right after the last cluster, travels too.
/// </summary>
public static class NtfsScanner
{
    private const int BitmapRecord = 6;
    private const uint AttributeData = 0x80;
    private const uint AttributeEnd = 0xFFFFFFFF;

    public static bool Matches(DiskImage disk, long start, long length) =>
        length >= 512 && start + 512 <= disk.Size && NtfsBootSector.HasSignature(disk.Read(start, 512));

    public static FileSystemUsage Scan(DiskImage disk, long start, long length)
    {
        var boot = NtfsBootSector.Parse(disk.Read(start, 512), Math.Min(length, disk.Size - start));
        var recordOffset = start + boot.MftCluster * boot.ClusterSize + (long)BitmapRecord * boot.MftRecordSize;
        var record = disk.Read(recordOffset, boot.MftRecordSize);
        ApplyFixups(record, boot.BytesPerSector);
        var runs = FindUnnamedDataRuns(record, out var dataSize);
        var bitmapBytes = (boot.ClusterCount + 7) / 8;
        if (dataSize < bitmapBytes)
        {
            throw new DiskFormatException($"NTFS $Bitmap holds {dataSize} bytes, too few for {boot.ClusterCount} clusters");
        }
        var bitmap = new byte[bitmapBytes];
        long filled = 0;
        foreach (var (lcn, count) in runs)
        {
            if (filled >= bitmapBytes)
            {
                break;
            }
            var take = (int)Math.Min(count * boot.ClusterSize, bitmapBytes - filled);
            if (lcn < 0)
            {
                filled += take; // Sparse run: reads as zeros, already zero.
                continue;
            }
            if (lcn + count > boot.ClusterCount)
            {
                throw new DiskFormatException($"NTFS $Bitmap run at cluster {lcn} (+{count}) lies outside the volume");
            }
            disk.Read(start + lcn * boot.ClusterSize, bitmap.AsSpan((int)filled, take));
            filled += take;
        }
        if (filled < bitmapBytes)
        {
            throw new DiskFormatException($"NTFS $Bitmap's run list covers {filled} of its {bitmapBytes} bytes");
        }
        var used = new ExtentListBuilder();
        BitmapRuns.AddSetRuns(bitmap, boot.ClusterCount, 0, boot.ClusterSize, used);
        // The backup boot sector is the sector after the volume (mkntfs and Windows make the volume one sector shorter than its partition).
        var backup = boot.TotalSectors * boot.BytesPerSector;
        if (backup + boot.BytesPerSector <= Math.Min(length, disk.Size - start))
        {
            used.Add(backup, boot.BytesPerSector);
        }
        return new FileSystemUsage(FileSystemKind.Ntfs, "", used.Build());
    }

    /// <summary>
    /// Multi-sector records end every sector with the update sequence number; the real last two
    /// bytes of each sector are kept in the update sequence array. A mismatch means a torn write.
    /// </summary>
    private static void ApplyFixups(Span<byte> record, int sectorSize)
    {
        if (!record[..4].SequenceEqual("FILE"u8))
        {
            throw new DiskFormatException("NTFS MFT record 6 ($Bitmap) has no FILE signature: the MFT is damaged");
        }
        var usaOffset = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
        var usaCount = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
        var stride = Math.Min(sectorSize, 512);
        if (usaCount == 0 || usaOffset + usaCount * 2 > record.Length || (usaCount - 1) * stride > record.Length)
        {
            throw new DiskFormatException("NTFS MFT record 6 has an invalid update sequence array");
        }
        var usn = BinaryPrimitives.ReadUInt16LittleEndian(record[usaOffset..]);
        for (var i = 1; i < usaCount; i++)
        {
            var end = i * stride - 2;
            if (BinaryPrimitives.ReadUInt16LittleEndian(record[end..]) != usn)
            {
                throw new DiskFormatException($"NTFS MFT record 6 failed its update sequence check in sector {i - 1}: torn or corrupt record");
            }
            record.Slice(usaOffset + i * 2, 2).CopyTo(record[end..]);
        }
    }

    private static List<(long Lcn, long Count)> FindUnnamedDataRuns(ReadOnlySpan<byte> record, out long dataSize)
    {
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(record[0x14..]);
        while (offset + 16 <= record.Length)
        {
            var type = BinaryPrimitives.ReadUInt32LittleEndian(record[offset..]);
            if (type == AttributeEnd)
            {
                break;
            }
            var attributeLength = BinaryPrimitives.ReadInt32LittleEndian(record[(offset + 4)..]);
            if (attributeLength < 16 || offset + attributeLength > record.Length)
            {
                break;
            }
            var attribute = record.Slice(offset, attributeLength);
            var nonResident = attribute[8] != 0;
            var nameLength = attribute[9];
            if (type == AttributeData && nameLength == 0)
            {
                if (!nonResident)
                {
                    throw new DiskFormatException("NTFS $Bitmap data is resident, which no valid volume has");
                }
                dataSize = BinaryPrimitives.ReadInt64LittleEndian(attribute[0x30..]);
                return DecodeRuns(attribute[BinaryPrimitives.ReadUInt16LittleEndian(attribute[0x20..])..]);
            }
            offset += attributeLength;
        }
        throw new DiskFormatException("NTFS MFT record 6 ($Bitmap) has no $DATA attribute (an attribute list is not supported)");
    }

    /// <summary>Run list: a header byte (low nibble: size of the length, high nibble: size of the signed LCN delta), then the two numbers; 0 ends it.</summary>
    private static List<(long Lcn, long Count)> DecodeRuns(ReadOnlySpan<byte> runs)
    {
        var result = new List<(long, long)>();
        long lcn = 0;
        var at = 0;
        while (at < runs.Length && runs[at] != 0)
        {
            var lengthSize = runs[at] & 0xF;
            var offsetSize = runs[at] >> 4;
            at++;
            if (lengthSize == 0 || lengthSize > 8 || offsetSize > 8 || at + lengthSize + offsetSize > runs.Length)
            {
                throw new DiskFormatException("NTFS $Bitmap run list is malformed");
            }
            var count = ReadSigned(runs.Slice(at, lengthSize), signed: false);
            at += lengthSize;
            if (offsetSize == 0)
            {
                result.Add((-1, count)); // Sparse run.
                continue;
            }
            lcn += ReadSigned(runs.Slice(at, offsetSize), signed: true);
            at += offsetSize;
            result.Add((lcn, count));
        }
        return result;
    }

    private static long ReadSigned(ReadOnlySpan<byte> bytes, bool signed)
    {
        long value = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }
        if (signed && bytes.Length < 8 && (bytes[^1] & 0x80) != 0)
        {
            value -= 1L << (bytes.Length * 8);
        }
        return value;
    }
}
