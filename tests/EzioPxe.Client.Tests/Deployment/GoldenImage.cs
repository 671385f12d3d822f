using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// The image torrent of a disk image file, made as `eziopxe image create` makes it (scanner,
/// hasher, torrent layout of EzioPxe.Imaging), and its extents saved as files named like the
/// torrent's so that a seeder can serve them from <see cref="SeedDirectory"/>.
/// </summary>
public sealed class GoldenImage
{
    private GoldenImage(byte[] bytes, DiskScan scan, string seedDirectory)
    {
        Bytes = bytes;
        Torrent = Torrent.Parse(bytes);
        Scan = scan;
        SeedDirectory = seedDirectory;
    }

    public byte[] Bytes { get; }

    public Torrent Torrent { get; }

    public DiskScan Scan { get; }

    public string SeedDirectory { get; }

    public static GoldenImage Create(string imagePath, string seedDirectory, string announce, string name = "golden")
    {
        using var disk = DiskImage.Open(imagePath);
        var scan = DiskScanner.Scan(disk);
        var piece = PieceLength.Choose(scan.UsedBytes);
        var hashes = ExtentHasher.ComputePieceHashes(disk, scan.Extents, piece);
        var bytes = ImageTorrent.Build(scan, name, piece, hashes, announce);
        var root = Path.Combine(seedDirectory, name);
        Directory.CreateDirectory(root);
        using var source = File.OpenHandle(imagePath);
        foreach (var (path, extent) in ImageTorrent.Files(scan.Extents).Zip(scan.Extents))
        {
            var data = new byte[extent.Length];
            RandomAccess.Read(source, data, extent.Offset);
            File.WriteAllBytes(Path.Combine(root, path.Path), data);
        }
        return new GoldenImage(bytes, scan, seedDirectory);
    }
}
