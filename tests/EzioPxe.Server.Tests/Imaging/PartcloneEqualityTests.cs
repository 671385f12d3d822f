using Xunit.Abstractions;
using EzioPxe.Server.Imaging;
using EzioPxe.Server.Imaging.Extents;
using EzioPxe.Server.Imaging.FileSystems;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Imaging;

/// <summary>
/// The scanner's used bytes for a filesystem made and filled by the real tools, against what
/// partclone copies for the same filesystem (its -D domain log lists the exact byte ranges).
/// The filesystems are scanned through a loop device, the way `image create /dev/sdX` would.
/// </summary>
public sealed class PartcloneEqualityTests(ITestOutputHelper output)
{
    [Theory]
    // Small ext4: 1 KiB blocks, 8 groups, flex_bg: groups 1..7 are BLOCK_UNINIT.
    [InlineData("mkfs.ext4", "64M", "", true)]
    // 4 KiB blocks, 16 small groups: flex_bg packs all bitmaps into group 0, most groups uninit.
    [InlineData("mkfs.ext4", "128M", "-b 4096 -g 2048", true)]
    // meta_bg instead of resize_inode: descriptor blocks live in the meta groups.
    [InlineData("mkfs.ext4", "96M", "-b 1024 -O meta_bg,^resize_inode", true)]
    // ext2: no journal, no flex_bg, no checksums, hence no uninit groups.
    [InlineData("mkfs.ext2", "64M", "", false)]
    // ext3: journal, sparse_super, resize inode.
    [InlineData("mkfs.ext3", "64M", "-b 4096", false)]
    public void Ext_used_blocks_equal_partclone(string mkfs, string size, string options, bool expectUninitGroups)
    {
        using var temp = new TempDirectory("img-ext");
        using var disk = TestDisk.Create(temp.File("fs.img"), ParseSize(size), null);
        var device = disk.AttachWhole();
        var args = new List<string> { "-q", "-F" };
        args.AddRange(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.Add(device);
        Tool.Run(mkfs, args, TimeSpan.FromMinutes(1)).EnsureSuccess(mkfs);
        var mount = disk.Mount(device, temp.File("mnt"));
        TestFiles.Write(Path.Combine(mount, "a"), seed: 1);
        TestFiles.Write(Path.Combine(mount, "b"), seed: 2);
        File.Delete(Path.Combine(mount, "a", "file4.bin")); // A freed hole in the middle.
        disk.Unmount(mount);
        var dumpe2fs = Tool.Run("dumpe2fs", device).EnsureSuccess("dumpe2fs").StandardOutput;
        Assert.Equal(expectUninitGroups, dumpe2fs.Contains("BLOCK_UNINIT", StringComparison.Ordinal));

        var scan = DiskScanner.Scan(device);
        var partition = Assert.Single(scan.Partitions);
        Assert.False(partition.KeptWhole, string.Join("\n", scan.AllNotes));
        Assert.Equal(mkfs[5..], DiskScanner.Describe(partition.FileSystem));

        AssertSameAsPartclone("partclone.extfs", device, scan, temp.Path);
    }

    private void AssertSameAsPartclone(string tool, string device, DiskScan scan, string work, long allowedExtraBytes = 0)
    {
        var theirs = Partclone.UsedRanges(tool, device, work);
        var ours = scan.Extents;
        var missing = Partclone.Minus(theirs, ours);
        var extra = Partclone.Minus(ours, theirs);
        output.WriteLine($"{tool}: partclone {ExtentListBuilder.TotalLength(theirs)} bytes in {theirs.Count} ranges, scan {scan.UsedBytes} bytes in {ours.Count} extents");
        Assert.True(missing.Count == 0, $"partclone copies bytes the scan drops: {string.Join(", ", missing.Take(10))}");
        Assert.True(ExtentListBuilder.TotalLength(extra) <= allowedExtraBytes,
            $"the scan keeps {ExtentListBuilder.TotalLength(extra)} bytes partclone does not: {string.Join(", ", extra.Take(10))}");
        Assert.True(scan.UsedBytes > 0);
    }

    internal static long ParseSize(string size) => long.Parse(size[..^1], System.Globalization.CultureInfo.InvariantCulture) << 20;
}
