using System.Buffers.Binary;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Contracts.Images;

/// <summary>
/// The codec of <see cref="ImageInfoKeys.Zero"/>: the ranges of the target that must read as
/// zeros but do not travel (the client zeroes them locally). A byte string of 16 bytes per range,
/// big-endian unsigned 64-bit offset then length (compact like BEP 23's peer lists: an unknown
/// partition can give thousands of ranges). Ranges are sorted, non-empty, 512-byte aligned and
/// neither overlap nor touch.
/// </summary>
public static class ZeroRangeList
{
    private const int EntrySize = 16;

    public static byte[] Encode(IReadOnlyList<DiskRange> ranges)
    {
        var bytes = new byte[ranges.Count * EntrySize];
        for (var i = 0; i < ranges.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * EntrySize), (ulong)ranges[i].Offset);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * EntrySize + 8), (ulong)ranges[i].Length);
        }
        return bytes;
    }

    /// <summary>Reads the list back; <see cref="InvalidTorrentException"/> saying what is wrong when it is not a list as described above.</summary>
    public static List<DiskRange> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % EntrySize != 0)
        {
            throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' is {bytes.Length} bytes, not a multiple of {EntrySize} (offset, length pairs)");
        }
        var ranges = new List<DiskRange>(bytes.Length / EntrySize);
        for (var at = 0; at < bytes.Length; at += EntrySize)
        {
            var offset = BinaryPrimitives.ReadUInt64BigEndian(bytes[at..]);
            var length = BinaryPrimitives.ReadUInt64BigEndian(bytes[(at + 8)..]);
            if (offset > long.MaxValue || length == 0 || length > long.MaxValue - offset || offset % 512 != 0 || length % 512 != 0)
            {
                throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' range {at / EntrySize} (offset {offset}, length {length}) is empty, not 512-byte aligned or beyond 2^63");
            }
            var range = new DiskRange((long)offset, (long)length);
            if (ranges.Count > 0 && range.Offset <= ranges[^1].End)
            {
                throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' ranges {ranges[^1]} and {range} are out of order, overlap or touch");
            }
            ranges.Add(range);
        }
        return ranges;
    }
}
