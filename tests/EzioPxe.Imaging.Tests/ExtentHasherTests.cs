using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.Hashing;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

public sealed class ExtentHasherTests
{
    /// <summary>
    /// Pieces that straddle extents, extents that straddle read chunks and holes inside extents
    /// must hash exactly as the engine's plain file hasher hashes the same bytes saved as files.
    /// </summary>
    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(256 * 1024)]
    [InlineData(16 << 20)]
    public void Piece_hashes_equal_the_engines_over_the_extents_saved_as_files(int pieceLength)
    {
        using var temp = new TempDirectory("img-hash");
        var path = temp.File("disk.img");
        using (var file = File.Create(path))
        {
            file.SetLength(64L << 20);
        }
        DiskBytes.WriteRandom(path, 0, 3 << 20, seed: 1);
        DiskBytes.WriteRandom(path, 20L << 20, 9 << 20, seed: 2);
        DiskBytes.WriteRandom(path, 63L << 20, 1 << 20, seed: 3);
        var extents = new List<Extent>
        {
            new(512, 1536),
            new(4096, (3 << 20) + 512),       // Runs past the data into a hole.
            new(10L << 20, 5 << 20),          // All hole.
            new((20L << 20) + 512, 9 << 20),  // Longer than a read chunk at small pieces.
            new((64L << 20) - 1024, 1024),    // Last bytes of the disk.
        };
        byte[] ours;
        using (var disk = DiskImage.Open(path))
        {
            ours = ExtentHasher.ComputePieceHashes(disk, extents, pieceLength);
        }

        var files = new List<(string Path, long Length)>();
        using (var source = File.OpenHandle(path))
        {
            foreach (var extent in extents)
            {
                var data = new byte[extent.Length];
                RandomAccess.Read(source, data, extent.Offset);
                var name = extent.Offset.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
                File.WriteAllBytes(temp.File(name), data);
                files.Add((name, extent.Length));
            }
        }
        Assert.Equal(TorrentBuilder.HashFiles(temp.Path, files, pieceLength), ours);
    }

    [Fact]
    public void A_read_past_the_end_fails_with_the_disks_message_instead_of_hanging()
    {
        using var temp = new TempDirectory("img-hash-bad");
        var path = temp.File("disk.img");
        File.WriteAllBytes(path, new byte[1 << 20]);
        using var disk = DiskImage.Open(path);
        var extents = new[] { new Extent(0, 512 * 1024), new Extent(900 * 1024, 1 << 20) };
        var error = Assert.Throws<DiskFormatException>(() => ExtentHasher.ComputePieceHashes(disk, extents, 16 * 1024));
        Assert.Contains("goes past the end", error.Message, StringComparison.Ordinal);
    }
}
