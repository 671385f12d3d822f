using System.Buffers.Binary;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Contracts.Images;

/// <summary>
/// The two GPT header sectors of an image, fitted to a target disk (UEFI spec 5.3.2). The image
/// torrent carries the golden's primary header (<see cref="ImageInfoKeys.GptHeader"/>) instead of
/// sending the header sectors; on a target of the golden's size the result is byte-identical to
/// the golden's headers, on a larger one the backup entry array and header move to the target's
/// end and the last usable LBA grows by the same amount (what <c>sgdisk -e</c> does). The entry
/// array itself does not change, so neither does its CRC.
/// </summary>
public sealed record GptFit(
    byte[] PrimaryHeader,
    byte[] BackupHeader,
    long BackupHeaderLba,
    long PrimaryEntriesLba,
    long BackupEntriesLba,
    int EntryCount,
    int EntrySize,
    uint EntriesCrc,
    long LastUsableLba,
    long GrowthSectors)
{
    public const int SectorSize = 512;
    private const int MinimumHeaderSize = 92;

    public long EntriesBytes => (long)EntryCount * EntrySize;

    /// <summary>
    /// Fits <paramref name="header"/> (a primary GPT header: MyLBA 1) to a target of
    /// <paramref name="targetBytes"/>; <see cref="InvalidTorrentException"/> when the header is not
    /// a valid primary header or the target is smaller than the disk the header describes.
    /// </summary>
    public static GptFit For(ReadOnlySpan<byte> header, long targetBytes)
    {
        var problem = Check(header);
        if (problem != null)
        {
            throw new InvalidTorrentException($"'{ImageInfoKeys.GptHeader}' is not a primary GPT header: {problem}");
        }
        var goldenLast = ReadLong(header, 32);
        var targetLast = targetBytes / SectorSize - 1;
        if (targetLast < goldenLast)
        {
            throw new InvalidTorrentException($"the image's GPT ends at LBA {goldenLast} but the target's last LBA is {targetLast}");
        }
        var entryCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[80..]);
        var entrySize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[84..]);
        var entriesSectors = ((long)entryCount * entrySize + SectorSize - 1) / SectorSize;
        var growth = targetLast - goldenLast;
        var lastUsable = ReadLong(header, 48) + growth;
        var backupEntries = targetLast - entriesSectors;
        if (lastUsable >= backupEntries)
        {
            throw new InvalidTorrentException($"the image's GPT has its last usable LBA at {ReadLong(header, 48)}, inside its own backup entry array");
        }

        var primary = Sector(header);
        WriteLong(primary, 32, targetLast);
        WriteLong(primary, 48, lastUsable);
        Seal(primary);

        var backup = Sector(header);
        WriteLong(backup, 24, targetLast);
        WriteLong(backup, 32, 1);
        WriteLong(backup, 48, lastUsable);
        WriteLong(backup, 72, backupEntries);
        Seal(backup);

        return new GptFit(primary, backup, targetLast, ReadLong(header, 72), backupEntries, entryCount, entrySize,
            BinaryPrimitives.ReadUInt32LittleEndian(header[88..]), lastUsable, growth);
    }

    /// <summary>Why <paramref name="header"/> is not a valid primary GPT header, or null when it is.</summary>
    public static string? Check(ReadOnlySpan<byte> header)
    {
        if (header.Length < MinimumHeaderSize || header.Length > SectorSize || !header[..8].SequenceEqual("EFI PART"u8))
        {
            return $"{header.Length} bytes without the \"EFI PART\" signature or of the wrong size";
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != header.Length)
        {
            return "its header-size field does not match its length";
        }
        var copy = header.ToArray();
        copy.AsSpan(16, 4).Clear();
        if (Crc32.Compute(copy) != BinaryPrimitives.ReadUInt32LittleEndian(header[16..]))
        {
            return "header CRC mismatch";
        }
        var entryCount = BinaryPrimitives.ReadUInt32LittleEndian(header[80..]);
        var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(header[84..]);
        if (ReadLong(header, 24) != 1 || entrySize < 128 || entrySize % 8 != 0 || entryCount == 0 || entryCount > 65536
            || ReadLong(header, 72) < 2 || ReadLong(header, 40) > ReadLong(header, 48) || ReadLong(header, 32) <= ReadLong(header, 48))
        {
            return "its LBAs or entry array geometry are out of range";
        }
        return null;
    }

    /// <summary>Recomputes the CRC of the header at the start of <paramref name="sector"/> (the CRC field taken as zero).</summary>
    public static void Seal(Span<byte> sector)
    {
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(sector[12..]);
        sector[16..20].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(sector[16..], Crc32.Compute(sector[..size]));
    }

    /// <summary>The highest last LBA of any used entry (type GUID not zero) in an entry array; -1 when none is used.</summary>
    public long HighestPartitionLba(ReadOnlySpan<byte> entries)
    {
        long highest = -1;
        for (var i = 0; i < EntryCount && (i + 1) * EntrySize <= entries.Length; i++)
        {
            var entry = entries.Slice(i * EntrySize, EntrySize);
            if (entry[..16].ContainsAnyExcept((byte)0))
            {
                highest = Math.Max(highest, ReadLong(entry, 40));
            }
        }
        return highest;
    }

    private static byte[] Sector(ReadOnlySpan<byte> header)
    {
        var sector = new byte[SectorSize];
        header.CopyTo(sector);
        return sector;
    }

    private static long ReadLong(ReadOnlySpan<byte> bytes, int at) => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(bytes[at..]), long.MaxValue);

    private static void WriteLong(Span<byte> bytes, int at, long value) => BinaryPrimitives.WriteUInt64LittleEndian(bytes[at..], (ulong)value);
}
