using EzioPxe.Client.Storage;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client.Tests.Storage;

public class ExtentNameTests
{
    [Theory]
    [InlineData("00000000000000000000000000100000", 0x100000)] // partclone's %032llx
    [InlineData("00000000000000000000000000000000", 0)]
    [InlineData("1003", 0x1003)]
    [InlineData("7fffffffffffffff", long.MaxValue)]
    [InlineData("0000000000000000DEADBEEF", 0xdeadbeef)]
    public void Hex_names_of_any_length_are_offsets(string name, long offset)
    {
        Assert.True(ExtentName.TryParse(name, out var parsed));
        Assert.Equal(offset, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x1000")]
    [InlineData("sda1.img")]
    [InlineData("10 00")]
    [InlineData("8000000000000000")]        // 2^63: beyond any disk, and beyond a long
    [InlineData("10000000000000000000")]
    public void Anything_else_is_refused(string name)
    {
        Assert.False(ExtentName.TryParse(name, out _));
    }

    [Fact]
    public void A_torrent_with_a_badly_named_file_is_refused_naming_the_file()
    {
        var torrent = new ImageTorrent(1024, [(0, new byte[10]), (0x200, new byte[10])], name: o => o == 0 ? "sda1/00000000000000000000000000000000" : "sda1/boot.img");
        var error = Assert.Throws<InvalidTorrentException>(() => DiskImageLayout.FromTorrent(torrent.Info));
        Assert.Contains("file 'sda1/boot.img' is not named by its disk offset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_extents_are_refused_naming_both()
    {
        var torrent = new ImageTorrent(1024, [(0x1000, new byte[100]), (0x0, new byte[10]), (0x1050, new byte[10])]);
        var error = Assert.Throws<InvalidTorrentException>(() => DiskImageLayout.FromTorrent(torrent.Info));
        Assert.Contains("files '" + ExtentName.Format(0x1000) + "' (0x1000..0x1064) and '" + ExtentName.Format(0x1050) + "' (0x1050..0x105a) overlap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_required_disk_size_is_the_key_or_the_end_of_the_last_extent()
    {
        var extents = new (long, byte[])[] { (0x10000, new byte[100]), (0x200, new byte[10]) };
        Assert.Equal(0x10000 + 100, DiskImageLayout.FromTorrent(new ImageTorrent(1024, extents).Info).RequiredDiskSize);
        Assert.Equal(1L << 30, DiskImageLayout.FromTorrent(new ImageTorrent(1024, extents, diskSize: 1L << 30).Info).RequiredDiskSize);
        var error = Assert.Throws<InvalidTorrentException>(() => DiskImageLayout.FromTorrent(new ImageTorrent(1024, extents, diskSize: 0x10000).Info));
        Assert.Contains("'x-eziopxe-disk-size' is 65536 but the extents reach 65636", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_extents_are_mapped()
    {
        // EZIO saw 12,212 regions for a 12.5 GiB image; partclone -T caps files at 1 MiB.
        var extents = Enumerable.Range(0, 12_212).Select(i => ((long)i * 4096 + (i % 7), new byte[100])).ToList();
        var layout = DiskImageLayout.FromTorrent(new ImageTorrent(16384, extents).Info);
        Assert.Equal(12_212, layout.Extents.Count);
        Assert.Equal(12_211L * 4096 + (12_211 % 7), layout.Extents[^1].DiskOffset);
    }
}
