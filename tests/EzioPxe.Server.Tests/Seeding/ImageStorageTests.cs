using System.Security.Cryptography;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;
using EzioPxe.Server.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>The origin seeder's read-only storage: every piece read from the image at the offsets the file names spell.</summary>
public sealed class ImageStorageTests
{
    private static Torrent MakeTorrent(string image, int pieceLength)
    {
        using var disk = DiskImage.Open(image);
        var scan = DiskScanner.Scan(disk);
        var hashes = ExtentHasher.ComputePieceHashes(disk, scan.Extents, pieceLength);
        return Torrent.Parse(ImageTorrent.Build(scan, "lab", pieceLength, hashes, "http://127.0.0.1:1/announce"));
    }

    [Fact]
    public async Task Every_piece_read_from_the_image_matches_its_hash_even_across_extents()
    {
        using var temp = new TempDirectory("storage");
        var image = TestImage.Create(temp.File("lab.img"), seed: 3, dataBytes: 3L << 20);
        // 64 KiB pieces over an image of several extents: many pieces straddle two of them.
        var torrent = MakeTorrent(image, PieceLength.Parse("64K"));
        Assert.True(torrent.Info.Files.Count > 2);
        await using var storage = new ImageStorage(torrent.Info, image);
        var buffer = new byte[torrent.Info.PieceLength];
        for (var piece = 0; piece < torrent.Info.PieceCount; piece++)
        {
            var size = torrent.Info.GetPieceSize(piece);
            await storage.ReadAsync(piece, 0, buffer.AsMemory(0, size), CancellationToken.None);
            Assert.True(SHA1.HashData(buffer.AsSpan(0, size)).AsSpan().SequenceEqual(torrent.Info.GetPieceHash(piece)), $"piece {piece}");
        }
        // A block in the middle of a piece, as a peer's request asks for it.
        var middle = new byte[16384];
        await storage.ReadAsync(1, 16384, middle, CancellationToken.None);
        var whole = new byte[torrent.Info.GetPieceSize(1)];
        await storage.ReadAsync(1, 0, whole, CancellationToken.None);
        Assert.Equal(whole.AsSpan(16384, 16384).ToArray(), middle);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await storage.WritePieceAsync(0, whole, CancellationToken.None));
    }

    [Fact]
    public void A_source_too_short_for_the_torrent_is_refused_naming_the_extent()
    {
        using var temp = new TempDirectory("storage");
        var image = TestImage.Create(temp.File("lab.img"), seed: 4, dataBytes: 1L << 20);
        var torrent = MakeTorrent(image, PieceLength.Minimum);
        var cut = temp.File("cut.img");
        File.Copy(image, cut);
        using (var file = new FileStream(cut, FileMode.Open))
        {
            file.SetLength(8L << 20);
        }
        var error = Assert.Throws<InvalidDataException>(() => new ImageStorage(torrent.Info, cut));
        Assert.Contains("ends past the end of " + cut, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torrent_whose_files_are_not_disk_offsets_is_refused()
    {
        using var temp = new TempDirectory("storage");
        Directory.CreateDirectory(temp.File("content"));
        File.WriteAllBytes(temp.File("content/readme.txt"), new byte[1000]);
        var torrent = Torrent.Parse(TorrentBuilder.FromDirectory(temp.File("content"), 16384));
        var error = Assert.Throws<InvalidDataException>(() => new ImageStorage(torrent.Info, temp.File("content/readme.txt")));
        Assert.Contains("'readme.txt' is not named by a hexadecimal disk offset", error.Message, StringComparison.Ordinal);
    }
}
