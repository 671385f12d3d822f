using EzioPxe.Client.Disk;
using EzioPxe.Client.Storage;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Storage;

[Trait("Needs", "root")]
public class DiskPieceStorageTests
{
    private const int DiskSize = 4 << 20;

    /// <summary>
    /// Extents chosen to hit every alignment case on 512-byte blocks: aligned, unaligned at both
    /// ends (0x1003 + 1000), two extents sharing an edge block (0x13f0 sits in the block where the
    /// previous one ends), one tiny extent inside a single block, a long unaligned one crossing
    /// many pieces, and one ending at the last byte of the disk.
    /// </summary>
    private static ImageTorrent UnalignedImage(int pieceLength) => new(pieceLength,
    [
        (0x0, ImageTorrent.Random(512, 1)),
        (0x1003, ImageTorrent.Random(1000, 2)),
        (0x13f0, ImageTorrent.Random(20, 3)),
        (0x2001, ImageTorrent.Random(3, 4)),
        (0xff9c, ImageTorrent.Random(300_001, 5)),
        (0x200000, ImageTorrent.Random(65_536, 6)),
        (DiskSize - 777, ImageTorrent.Random(777, 7)),
    ]);

    /// <summary>Reads the whole device through the page cache, independently of the storage under test.</summary>
    private static byte[] ReadAll(string path, int length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var first = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(first == expected.Length, $"first difference at 0x{first:x}: expected 0x{(first < expected.Length ? expected[first] : 0):x2}, found 0x{(first < actual.Length ? actual[first] : 0):x2}");
    }

    [Fact]
    public async Task Pieces_written_concurrently_land_at_their_extents_on_a_loop_device_and_nothing_else_changes()
    {
        using var area = new DiskTestArea();
        var backing = area.CreateFile("disk.img", DiskSize);
        var before = File.ReadAllBytes(backing);
        var loop = area.AttachLoop(backing);
        // 1000-byte pieces: nearly every piece boundary falls inside a 512-byte block, so
        // neighbouring pieces patch the same edge block at the same time.
        var image = UnalignedImage(pieceLength: 1000);

        await using (var storage = DiskPieceStorage.Open(image.Info, loop, bufferSize: 64 << 10, bufferCount: 8))
        {
            Assert.True(storage.Device.IsDirect);
            Assert.Equal(0x4000, File.ReadLines($"/proc/self/fdinfo/{storage.Device.Fd}").First(l => l.StartsWith("flags:", StringComparison.Ordinal)) is var flags
                ? Convert.ToInt32(flags["flags:".Length..].Trim(), 8) & 0x4000 : 0);

            var order = Enumerable.Range(0, image.Info.PieceCount).OrderBy(p => (p * 7919) % 1009).ToArray();
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (piece, ct) => await storage.WritePieceAsync(piece, image.Piece(piece), ct));
            await storage.FlushAsync(CancellationToken.None);

            // Reads for seeding and checking: whole pieces and a block at an odd offset inside one.
            for (var piece = 0; piece < image.Info.PieceCount; piece++)
            {
                var back = new byte[image.Info.GetPieceSize(piece)];
                await storage.ReadAsync(piece, 0, back, CancellationToken.None);
                Assert.True(back.AsSpan().SequenceEqual(image.Piece(piece).Span), $"piece {piece} reads back different");
            }
            var part = new byte[333];
            await storage.ReadAsync(5, 601, part, CancellationToken.None);
            Assert.Equal(image.Piece(5).Slice(601, 333).ToArray(), part);
        }

        var expected = image.Apply(before);
        AssertSameBytes(expected, ReadAll(loop, DiskSize));
        foreach (var (offset, bytes) in image.Extents)
        {
            Assert.Equal(bytes, ReadAll(loop, DiskSize).AsSpan((int)offset, bytes.Length).ToArray());
        }
        // The bytes between 0x13eb and 0x13f0 and around 0x2001 share blocks with extents but are not in any.
        Assert.Equal(before.AsSpan(0x13eb, 5).ToArray(), expected.AsSpan(0x13eb, 5).ToArray());
        AssertSameBytes(expected, File.ReadAllBytes(backing));
    }

    [Fact]
    public async Task Writing_the_same_image_many_times_with_racing_pieces_stays_exact()
    {
        // The edge-block locks are what keeps this right: without them two pieces patching one
        // block each read the old block and the later write undoes the earlier one.
        using var area = new DiskTestArea();
        var backing = area.CreateFile("disk.img", DiskSize);
        var before = File.ReadAllBytes(backing);
        var loop = area.AttachLoop(backing);
        var image = new ImageTorrent(100, [(0x3, ImageTorrent.Random(50_000, 11))]); // a 100-byte piece every fifth of a block
        await using (var storage = DiskPieceStorage.Open(image.Info, loop, bufferSize: 4096, bufferCount: 16))
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, image.Info.PieceCount).Select(p => storage.WritePieceAsync(p, image.Piece(p), CancellationToken.None).AsTask()));
            }
        }
        AssertSameBytes(image.Apply(before), ReadAll(loop, DiskSize));
    }

    [Fact]
    public async Task Finish_rereads_the_partition_table_that_the_image_brought()
    {
        using var area = new DiskTestArea();
        // The image of a disk with one partition: take its partition table (the first sector) as an extent.
        var source = area.CreateFile("source.img", 16 << 20, fill: 0);
        Tool.Run("sfdisk", ["--quiet", source], TimeSpan.FromMinutes(1), standardInput: "label: dos\nstart=2048, size=8192, type=83\n").EnsureSuccess("sfdisk");
        var mbr = File.ReadAllBytes(source)[..512];
        var target = area.AttachLoop(area.CreateFile("target.img", 16 << 20, fill: 0), partitions: true);
        var name = Path.GetFileName(target);
        Assert.False(Directory.Exists($"/sys/block/{name}/{name}p1"));

        var image = new ImageTorrent(16384, [(0, mbr)]);
        await using var storage = DiskPieceStorage.Open(image.Info, target);
        await storage.WritePieceAsync(0, image.Piece(0), CancellationToken.None);
        var result = await storage.FinishAsync(CancellationToken.None);
        Assert.True(result.PartitionTableReread, result.Note);
        // Kernels built without a partition parser (some VM kernels) accept BLKRRPART but find nothing.
        if (KernelReadsDosPartitions())
        {
            Assert.Equal("8192", File.ReadAllText($"/sys/block/{name}/{name}p1/size").Trim());
        }
    }

    private static bool KernelReadsDosPartitions()
    {
        if (!File.Exists("/proc/config.gz"))
        {
            return true;
        }
        using var config = new System.IO.Compression.GZipStream(File.OpenRead("/proc/config.gz"), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(config);
        return reader.ReadToEnd().Contains("CONFIG_MSDOS_PARTITION=y", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_on_tmpfs_is_written_the_same_way()
    {
        var path = Path.Combine("/dev/shm", "eziopxe-client-" + Guid.NewGuid().ToString("n")[..8]);
        try
        {
            var before = ImageTorrent.Random(DiskSize, 99);
            File.WriteAllBytes(path, before);
            var image = UnalignedImage(pieceLength: 16384);
            await using (var storage = DiskPieceStorage.Open(image.Info, path))
            {
                for (var piece = 0; piece < image.Info.PieceCount; piece++)
                {
                    await storage.WritePieceAsync(piece, image.Piece(piece), CancellationToken.None);
                }
                var result = await storage.FinishAsync(CancellationToken.None);
                Assert.False(result.PartitionTableReread);
            }
            AssertSameBytes(image.Apply(before), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_piece_of_the_wrong_size_is_refused()
    {
        using var area = new DiskTestArea();
        var image = UnalignedImage(pieceLength: 16384);
        await using var storage = DiskPieceStorage.Open(image.Info, area.CreateFile("disk.img", DiskSize));
        await Assert.ThrowsAsync<ArgumentException>(() => storage.WritePieceAsync(0, new byte[100], CancellationToken.None).AsTask());
    }
}
