using System.Buffers.Binary;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.Partitions;

namespace EzioPxe.Imaging;

/// <summary>
/// The plan for an image: which bytes of the disk travel. <see cref="Extents"/> are sorted by
/// offset, merged where adjacent, within [0, DiskSize) and aligned to 512 bytes (except a disk
/// whose size is not a multiple of 512, whose last extent ends with the disk).
/// <see cref="Notes"/> are messages about the disk as a whole (partition table damage).
/// <see cref="ZeroExtents"/> (sorted, merged, disjoint from <see cref="Extents"/>) are the bytes
/// that must read as zeros on the target and do not travel: the zero blocks of regions kept
/// whole (partition table areas, boot loader gaps, unknown or damaged filesystems).
/// <see cref="GptHeader"/>, when set, is the golden's primary GPT header; the two header
/// sectors are then in neither list (the client writes them fitted to its disk).
/// </summary>
public sealed record DiskScan(
    string Source,
    long DiskSize,
    PartitionTableKind PartitionTable,
    IReadOnlyList<ScannedPartition> Partitions,
    long BootRegionBytes,
    IReadOnlyList<Extent> Extents,
    IReadOnlyList<string> Notes)
{
    public IReadOnlyList<Extent> ZeroExtents { get; init; } = [];

    public byte[]? GptHeader { get; init; }

    /// <summary>Bytes that must read as zeros and are zeroed by the client: the sum of <see cref="ZeroExtents"/>.</summary>
    public long ZeroBytes => ZeroExtents.Sum(e => e.Length);

    /// <summary>Bytes that travel: the sum of the extents.</summary>
    public long UsedBytes => Extents.Sum(e => e.Length);

    /// <summary>
    /// Every byte whose content the image defines, sorted and merged: the extents that travel,
    /// the ranges that must read as zeros, and the two GPT header sectors. A capture copies
    /// exactly these, so that a scan of the copy finds what the scan of the disk found.
    /// </summary>
    public IReadOnlyList<Extent> DefinedExtents
    {
        get
        {
            var all = Extents.Concat(ZeroExtents).ToList();
            if (GptHeader is { Length: >= 40 } header)
            {
                // LBA 1 holds the primary header; the header's AlternateLBA (bytes 32..39) the backup.
                all.Add(new Extent(SectorSize, SectorSize));
                var backup = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(32, 8));
                if (backup > 1 && (backup + 1) * SectorSize <= DiskSize)
                {
                    all.Add(new Extent(backup * SectorSize, SectorSize));
                }
            }
            var merged = new List<Extent>();
            foreach (var extent in all.Where(e => e.Length > 0).OrderBy(e => e.Offset))
            {
                if (merged.Count > 0 && extent.Offset <= merged[^1].End)
                {
                    merged[^1] = merged[^1] with { Length = Math.Max(merged[^1].End, extent.End) - merged[^1].Offset };
                }
                else
                {
                    merged.Add(extent);
                }
            }
            return merged;
        }
    }

    /// <summary>The logical sector size partition tables are read with.</summary>
    private const int SectorSize = 512;

    /// <summary>Every message of the scan, disk-level first, then per partition.</summary>
    public IEnumerable<string> AllNotes =>
        Notes.Concat(Partitions.SelectMany(p => p.Notes.Select(n => $"partition {p.Index}: {n}")));
}
