using System.Globalization;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Torrent;

/// <summary>
/// An image torrent: a private v1 multi-file torrent whose files are the disk's used extents in
/// offset order, each named by its byte offset on the disk as 32 lower-case hex digits
/// (partclone/EZIO's "%032llx"), so a client places every byte by the file name alone.
/// The info dictionary adds "x-eziopxe-disk-size" (bytes; clients refuse smaller disks) and
/// "x-eziopxe-layout" (<see cref="ImageLayout"/>). See docs/image-format.md.
/// </summary>
public static class ImageTorrent
{
    public const string DiskSizeKey = "x-eziopxe-disk-size";
    public const string LayoutKey = "x-eziopxe-layout";

    /// <summary>"%032llx": the file name of the extent that starts at <paramref name="offset"/>.</summary>
    public static string FileName(long offset) => offset.ToString("x32", CultureInfo.InvariantCulture);

    /// <summary>The disk offset a file name stands for (hex, any width up to 32 digits, as EZIO writes them); false when it is not one.</summary>
    public static bool TryParseFileName(string name, out long offset) =>
        long.TryParse(name.Length > 16 && name[..^16].All(c => c == '0') ? name[^16..] : name,
            NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out offset) && offset >= 0;

    public static byte[] Build(DiskScan scan, string name, int pieceLength, ReadOnlyMemory<byte> pieceHashes, string announce)
    {
        if (scan.Extents.Count == 0)
        {
            throw new InvalidOperationException("nothing to send: every byte of the disk is unused or zero");
        }
        return new TorrentBuilder
        {
            Name = name,
            PieceLength = pieceLength,
            Files = Files(scan.Extents),
            PieceHashes = pieceHashes,
            Announce = announce,
            IsPrivate = true,
            ExtraInfo = new Dictionary<string, BValue>
            {
                [DiskSizeKey] = new BInteger(scan.DiskSize),
                [LayoutKey] = ImageLayout.FromScan(scan).ToBencode(),
            },
        }.Build();
    }

    public static List<(string Path, long Length)> Files(IEnumerable<Extent> extents) =>
        extents.Select(e => (FileName(e.Offset), e.Length)).ToList();

    /// <summary>The disk size an image torrent needs, or null for a torrent that is not ours (e.g. an EZIO partition torrent).</summary>
    public static long? DiskSize(Engine.Metainfo.Torrent torrent) => torrent.Info.Dictionary.GetInteger(DiskSizeKey)?.Value;

    public static ImageLayout? Layout(Engine.Metainfo.Torrent torrent) =>
        torrent.Info.Dictionary.GetDictionary(LayoutKey) is { } d ? ImageLayout.FromBencode(d) : null;
}
