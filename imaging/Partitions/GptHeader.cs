using System.Buffers.Binary;
using EzioPxe.Contracts.Images;

namespace EzioPxe.Imaging.Partitions;

/// <summary>The GPT header (UEFI spec 5.3.2), as found at LBA 1 (primary) or the last LBA (backup).</summary>
public sealed record GptHeader(
    long MyLba,
    long AlternateLba,
    long FirstUsableLba,
    long LastUsableLba,
    long EntriesLba,
    int EntryCount,
    int EntrySize,
    uint EntriesCrc,
    int HeaderSize)
{
    private static ReadOnlySpan<byte> Signature => "EFI PART"u8;

    /// <summary>Parses and checks one header sector; returns null and a reason when it is not a valid header.</summary>
    public static GptHeader? Parse(ReadOnlySpan<byte> sector, long expectedLba, out string problem)
    {
        if (!sector[..8].SequenceEqual(Signature))
        {
            problem = "no \"EFI PART\" signature";
            return null;
        }
        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(sector[12..]);
        if (headerSize < 92 || headerSize > sector.Length)
        {
            problem = $"header size {headerSize} is out of range";
            return null;
        }
        // The CRC covers the header with its own CRC field taken as zero.
        Span<byte> copy = stackalloc byte[(int)headerSize];
        sector[..(int)headerSize].CopyTo(copy);
        copy[16..20].Clear();
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(sector[16..]);
        var computed = Crc32.Compute(copy);
        if (stored != computed)
        {
            problem = $"header CRC mismatch (stored 0x{stored:x8}, computed 0x{computed:x8})";
            return null;
        }
        var header = new GptHeader(
            (long)BinaryPrimitives.ReadUInt64LittleEndian(sector[24..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(sector[32..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(sector[40..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(sector[48..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(sector[72..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(sector[80..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(sector[84..]),
            BinaryPrimitives.ReadUInt32LittleEndian(sector[88..]),
            (int)headerSize);
        if (header.MyLba != expectedLba)
        {
            problem = $"header says it is at LBA {header.MyLba}, found at LBA {expectedLba}";
            return null;
        }
        if (header.EntrySize < 128 || header.EntrySize % 8 != 0 || header.EntryCount <= 0 || header.EntryCount > 65536)
        {
            problem = $"entry array of {header.EntryCount} entries of {header.EntrySize} bytes is out of range";
            return null;
        }
        if (header.FirstUsableLba > header.LastUsableLba)
        {
            problem = "first usable LBA is after the last usable LBA";
            return null;
        }
        problem = "";
        return header;
    }

    public long EntriesBytes => (long)EntryCount * EntrySize;
}
