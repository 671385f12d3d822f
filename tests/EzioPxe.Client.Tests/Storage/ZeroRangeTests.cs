using EzioPxe.Client.Disk;
using EzioPxe.Client.Storage;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client.Tests.Storage;

/// <summary>x-eziopxe-zero on the client: checked when the torrent is read, zeroed on a loop device and on a file.</summary>
public class ZeroRangeTests
{
    private const int DiskSize = 4 << 20;

    private static ImageTorrent WithZeros(params DiskRange[] zeros) => new(16384,
        [(0x0, ImageTorrent.Random(4096, 1)), (0x3_0000, ImageTorrent.Random(5000, 2))], diskSize: DiskSize,
        info: new Dictionary<string, BValue> { [ImageInfoKeys.Zero] = new BString(ZeroRangeList.Encode(zeros)) });

    [Fact]
    public void Zero_ranges_that_overlap_an_extent_or_pass_the_disk_size_are_refused()
    {
        Assert.Equal(2, DiskImageLayout.FromTorrent(WithZeros(new(0x1000, 0x1000), new(0x3_1400, 0x1000)).Info).ZeroRanges.Count);
        var overlap = Assert.Throws<InvalidTorrentException>(() => DiskImageLayout.FromTorrent(WithZeros(new DiskRange(0x2_f000, 0x2000)).Info));
        Assert.Contains("overlaps file '00000000000000000000000000030000'", overlap.Message, StringComparison.Ordinal);
        var beyond = Assert.Throws<InvalidTorrentException>(() => DiskImageLayout.FromTorrent(WithZeros(new DiskRange(DiskSize - 512, 1024)).Info));
        Assert.Contains("beyond the image's disk size", beyond.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Zero_ranges_read_as_zeros_afterwards_and_nothing_else_changes(bool loopDevice)
    {
        using var area = new DiskTestArea();
        var backing = area.CreateFile("disk.img", DiskSize); // a non-zero pattern everywhere
        var before = File.ReadAllBytes(backing);
        var target = loopDevice ? area.AttachLoop(backing) : backing;
        // Whole blocks, a range with ragged 512-byte edges inside 4 KiB, and one sharing a block with an extent.
        DiskRange[] zeros = [new(0x1000, 0x2_0000), new(0x2_2200, 0x1c00), new(0x3_1400, 0x10_0000)];
        var image = WithZeros(zeros);

        await using (var storage = DiskPieceStorage.Open(image.Info, target))
        {
            var result = await storage.ZeroRequiredAsync(CancellationToken.None);
            Assert.Equal(zeros.Sum(z => z.Length), result.Bytes);
            Assert.Equal(3, result.Ranges);
            Assert.Equal(loopDevice ? "BLKZEROOUT" : "punched holes", result.Method);
        }

        var expected = (byte[])before.Clone();
        foreach (var zero in zeros)
        {
            Array.Clear(expected, (int)zero.Offset, (int)zero.Length);
        }
        var after = File.ReadAllBytes(backing);
        Assert.True(expected.AsSpan().SequenceEqual(after), "zeroing changed bytes outside its ranges or left some inside");
    }
}
