using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Torrent;

/// <summary>
/// An image torrent: a private v1 multi-file torrent whose files are the disk's used extents in
/// offset order, each named by its byte offset on the disk as 32 lower-case hex digits
/// (partclone/EZIO's "%032llx"), so a client places every byte by the file name alone.
/// The info dictionary adds "x-eziopxe-disk-size" (bytes; clients refuse smaller disks),
/// "x-eziopxe-layout" (<see cref="ImageLayout"/>), "x-eziopxe-zero" (ranges the client zeroes,
/// <see cref="ZeroRangeList"/>) and, for a GPT disk, "x-eziopxe-gpt-header" (the primary header
/// the client fits to its disk, <see cref="GptFit"/>). See docs/image-format.md.
/// </summary>
public static class ImageTorrent
{
    public const string DiskSizeKey = ImageInfoKeys.DiskSize;
    public const string LayoutKey = ImageInfoKeys.Layout;

    public static byte[] Build(DiskScan scan, string name, int pieceLength, ReadOnlyMemory<byte> pieceHashes, string announce)
    {
        if (scan.Extents.Count == 0)
        {
            throw new InvalidOperationException("nothing to send: every byte of the disk is unused or zero");
        }
        var extra = new Dictionary<string, BValue>
        {
            [DiskSizeKey] = new BInteger(scan.DiskSize),
            [LayoutKey] = ImageLayout.FromScan(scan).ToBencode(),
            [ImageInfoKeys.Zero] = new BString(ZeroRangeList.Encode(scan.ZeroExtents.Select(e => new DiskRange(e.Offset, e.Length)).ToList())),
        };
        if (scan.GptHeader != null)
        {
            extra[ImageInfoKeys.GptHeader] = new BString(scan.GptHeader);
        }
        return new TorrentBuilder
        {
            Name = name,
            PieceLength = pieceLength,
            Files = Files(scan.Extents),
            PieceHashes = pieceHashes,
            Announce = announce,
            IsPrivate = true,
            ExtraInfo = extra,
        }.Build();
    }

    public static List<(string Path, long Length)> Files(IEnumerable<Extent> extents) =>
        extents.Select(e => (ExtentName.Format(e.Offset), e.Length)).ToList();

    /// <summary>The disk size an image torrent needs, or null for a torrent that is not ours (e.g. an EZIO partition torrent).</summary>
    public static long? DiskSize(Engine.Metainfo.Torrent torrent) => torrent.Info.Dictionary.GetInteger(DiskSizeKey)?.Value;

    public static ImageLayout? Layout(Engine.Metainfo.Torrent torrent) =>
        torrent.Info.Dictionary.GetDictionary(LayoutKey) is { } d ? ImageLayout.FromBencode(d) : null;
}
