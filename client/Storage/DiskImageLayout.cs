using EzioPxe.Client.Disk;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client.Storage;

/// <summary>
/// The torrent's files read as extents of a disk image: offsets from the names, lengths from the
/// files. Checked once when opened (names are offsets, extents do not overlap), so that writing
/// never has to wonder.
/// </summary>
public sealed class DiskImageLayout
{
    private const string DiskSizeKey = ImageInfoKeys.DiskSize;

    private DiskImageLayout(DiskExtent[] extents, long requiredDiskSize, IReadOnlyList<DiskRange> zeroRanges, byte[]? gptHeader, ImageTarget target)
    {
        Target = target;
        Extents = extents;
        RequiredDiskSize = requiredDiskSize;
        ZeroRanges = zeroRanges;
        GptHeader = gptHeader;
    }

    /// <summary>
    /// Whole disk or partition. Ours carry x-eziopxe-disk-size and say in x-eziopxe-layout
    /// whether the disk had a partition table; a torrent without the size whose files are named
    /// by offsets is EZIO/Clonezilla-BT's, whose offsets are relative to a partition.
    /// </summary>
    public ImageTarget Target { get; }

    /// <summary>Ranges that must read as zeros and do not travel (x-eziopxe-zero): sorted, disjoint from each other and from every extent.</summary>
    public IReadOnlyList<DiskRange> ZeroRanges { get; }

    /// <summary>The golden's primary GPT header (x-eziopxe-gpt-header), checked; null for an MBR or unpartitioned image or a torrent that is not ours.</summary>
    public byte[]? GptHeader { get; }

    /// <summary>One extent per torrent file, indexed like <see cref="TorrentInfo.Files"/>.</summary>
    public IReadOnlyList<DiskExtent> Extents { get; }

    /// <summary>The smallest target the image fits: the x-eziopxe-disk-size key, or else where the last extent ends.</summary>
    public long RequiredDiskSize { get; }

    public static DiskImageLayout FromTorrent(TorrentInfo info)
    {
        var extents = new DiskExtent[info.Files.Count];
        for (var i = 0; i < extents.Length; i++)
        {
            var file = info.Files[i];
            var offset = ExtentName.Parse(file);
            if (file.Length > long.MaxValue - offset)
            {
                throw new InvalidTorrentException($"file '{file.Path}' ends beyond 2^63 bytes (offset 0x{offset:x}, length {file.Length})");
            }
            extents[i] = new DiskExtent(i, offset, file.Length);
        }

        // Sorted by offset (thousands of extents: no pairwise comparison), neighbours must not overlap.
        var sorted = extents.Where(e => e.Length > 0).OrderBy(e => e.DiskOffset).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].DiskOffset < sorted[i - 1].End)
            {
                throw new InvalidTorrentException(
                    $"files '{info.Files[sorted[i - 1].FileIndex].Path}' ({sorted[i - 1]}) and '{info.Files[sorted[i].FileIndex].Path}' ({sorted[i]}) overlap on the disk");
            }
        }
        var end = sorted.Length == 0 ? 0 : sorted[^1].End;

        var required = end;
        if (info.Dictionary[DiskSizeKey] is { } sizeValue)
        {
            if (sizeValue is not Engine.Bencode.BInteger { Value: >= 0 } size)
            {
                throw new InvalidTorrentException($"'{DiskSizeKey}' is not a non-negative integer");
            }
            if (size.Value < end)
            {
                throw new InvalidTorrentException($"'{DiskSizeKey}' is {size.Value} but the extents reach {end}");
            }
            required = size.Value;
        }

        var zeros = info.Dictionary[ImageInfoKeys.Zero] switch
        {
            null => [],
            Engine.Bencode.BString list => ZeroRangeList.Decode(list.Bytes.Span),
            _ => throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' is not a byte string"),
        };
        if (zeros.Count > 0 && zeros[^1].End > required)
        {
            throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' reaches {zeros[^1].End}, beyond the image's disk size {required}");
        }
        // Zeroing an extent would destroy pieces a re-run found present: the lists must be disjoint.
        var at = 0;
        foreach (var zero in zeros)
        {
            while (at < sorted.Length && sorted[at].End <= zero.Offset)
            {
                at++;
            }
            if (at < sorted.Length && sorted[at].DiskOffset < zero.End)
            {
                throw new InvalidTorrentException($"'{ImageInfoKeys.Zero}' range {zero} overlaps file '{info.Files[sorted[at].FileIndex].Path}' ({sorted[at]})");
            }
        }

        byte[]? gptHeader = null;
        if (info.Dictionary[ImageInfoKeys.GptHeader] is { } headerValue)
        {
            gptHeader = (headerValue as Engine.Bencode.BString)?.Bytes.ToArray()
                ?? throw new InvalidTorrentException($"'{ImageInfoKeys.GptHeader}' is not a byte string");
            _ = GptFit.For(gptHeader, required); // throws, naming the problem, on a bad header
        }
        var target = info.Dictionary[DiskSizeKey] == null
            ? ImageTarget.Partition
            : (info.Dictionary[ImageInfoKeys.Layout] as Engine.Bencode.BDictionary)?.GetString("table")?.Text is "gpt" or "mbr" ? ImageTarget.WholeDisk : ImageTarget.Either;
        return new DiskImageLayout(extents, required, zeros, gptHeader, target);
    }

    /// <summary>Throws <see cref="DiskRefusedException"/> (too small) when an extent ends beyond <paramref name="diskSize"/>.</summary>
    public void CheckFits(string path, long diskSize)
    {
        if (RequiredDiskSize > diskSize)
        {
            var beyond = Extents.Where(e => e.End > diskSize).OrderBy(e => e.DiskOffset).FirstOrDefault();
            var detail = beyond.Length > 0 ? $"; the extent {beyond} is beyond its end" : "";
            throw new DiskRefusedException(path, [(DiskRefusal.TooSmall,
                $"it is too small: {ByteSize.Format(diskSize)} ({diskSize} bytes) but the image needs {ByteSize.Format(RequiredDiskSize)} ({RequiredDiskSize} bytes){detail}")]);
        }
    }
}
