using System.Globalization;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.Client.Tests.Storage;
using EzioPxe.Imaging;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;
using Xunit.Abstractions;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// Partition images, made as partclone/EZIO/Clonezilla-BT make them (files named by their offset
/// from the start of the partition, no x-eziopxe-disk-size): the published client writes one into
/// the partition a job names (ezio.part=3 on a disk whose partitions the kernel knows) and leaves
/// the rest of the disk alone, and refuses it, before writing anything, when aimed at a whole
/// disk; our whole-disk image aimed at a partition is refused too.
/// </summary>
[Trait("Needs", "root")]
public sealed class PartitionTargetTests(GoldenDiskFixture golden, ITestOutputHelper output) : IClassFixture<GoldenDiskFixture>
{
    [Fact]
    public async Task A_partition_image_goes_into_the_named_partition_and_is_refused_on_a_whole_disk()
    {
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var image = PartitionImage(Opentracker.UrlFor(trackerPort));
        var torrent = Engine.Metainfo.Torrent.Parse(image.Bytes);
        using var tracker = Opentracker.Start(dir.Path, [torrent.InfoHash], trackerPort);
        await tracker.WaitForAsync(torrent.InfoHash);
        image.WriteFiles(dir.Path);
        using var web = new TorrentWebServer(image.Bytes);

        // The target: the golden's partition table over old random bytes, partitions known to the kernel.
        var backing = Path.Combine(area.Path, "target.img");
        File.Copy(golden.Disk.ImagePath, backing);
        var (rootStart, rootLength) = golden.Disk.Partition(GoldenDisk.Root);
        for (var at = 0L; at < rootLength; at += 8 << 20)
        {
            DiskBytes.WriteRandom(backing, rootStart + at, (int)Math.Min(8 << 20, rootLength - at), 70 + (int)(at >> 20));
        }
        var before = File.ReadAllBytes(backing);
        var loop = area.AttachLoop(backing, partitions: true);
        Tool.Run("partx", "-a", loop); // exits 1 when --partscan already added them
        Assert.True(File.Exists(loop + "p3"), $"{loop}p3 is missing: the kernel did not add the partitions");

        // Aimed at the whole disk: refused, nothing written.
        var refused = ClientDeploymentTests.RunClient(web, loop);
        output.WriteLine(refused.StandardOutput + refused.StandardError);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("partition image", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("ezio.part=", refused.StandardError, StringComparison.Ordinal);
        Assert.True(before.AsSpan().SequenceEqual(File.ReadAllBytes(backing)), "the refused run changed the disk");

        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        var run = ClientDeploymentTests.RunClient(web, loop, "--part=3");
        output.WriteLine(run.StandardOutput + run.StandardError);
        Assert.True(run.ExitCode == 11, run.StandardOutput + run.StandardError);
        Assert.Contains($"target disk {loop}p3", run.StandardOutput, StringComparison.Ordinal);

        // Outside partition 3 not a byte changed; inside, the golden's file system with every file.
        var after = File.ReadAllBytes(backing);
        Assert.True(before.AsSpan(0, (int)rootStart).SequenceEqual(after.AsSpan(0, (int)rootStart)));
        Assert.True(before.AsSpan((int)(rootStart + rootLength)).SequenceEqual(after.AsSpan((int)(rootStart + rootLength))));
        Tool.Run("e2fsck", "-fn", loop + "p3").EnsureSuccess("e2fsck -fn");
        var mount = Path.Combine(area.Path, "root");
        Directory.CreateDirectory(mount);
        Tool.Run("mount", "-o", "ro,noload", loop + "p3", mount).EnsureSuccess("mount");
        try
        {
            foreach (var (name, sha) in golden.Disk.RootFiles)
            {
                Assert.Equal(sha, DiskBytes.Sha256(File.ReadAllBytes(Path.Combine(mount, name))));
            }
        }
        finally
        {
            Tool.Run("umount", mount);
        }
    }

    [Fact]
    public void A_whole_disk_image_aimed_at_a_partition_is_refused()
    {
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var image = GoldenImage.Create(golden.Disk.ImagePath, dir.Path, Opentracker.UrlFor(1));
        using var web = new TorrentWebServer(image.Bytes);
        var backing = Path.Combine(area.Path, "target.img");
        File.Copy(golden.Disk.ImagePath, backing);
        var loop = area.AttachLoop(backing, partitions: true);
        Tool.Run("partx", "-a", loop);
        var before = File.ReadAllBytes(backing);

        var run = ClientDeploymentTests.RunClient(web, loop, "--part=3");

        output.WriteLine(run.StandardOutput + run.StandardError);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("whole disk with its partition table but this is a partition", run.StandardError, StringComparison.Ordinal);
        Assert.True(before.AsSpan().SequenceEqual(File.ReadAllBytes(backing)));
    }

    /// <summary>
    /// The golden's ext4 partition as partclone's domain map sees it: our scanner on a loop device
    /// limited to the partition (its travelling and zeroed extents together equal partclone's
    /// ranges, see PartcloneEqualityTests), files named by their offset in the partition, and no EzioPxe key.
    /// </summary>
    private ImageTorrent PartitionImage(string announce)
    {
        var partition = golden.Disk.Loop(golden.Disk.ImagePath, GoldenDisk.Root, readOnly: true);
        try
        {
            using var disk = DiskImage.Open(partition);
            var scan = DiskScanner.Scan(disk);
            Assert.Equal("ext4", DiskScanner.Describe(scan.Partitions.Single().FileSystem));
            // partclone sends every used block, zeros included: what we send and what we zero, together.
            var used = new Imaging.Extents.ExtentListBuilder().Also(scan.Extents).Also(scan.ZeroExtents).Build();
            var extents = used.Select(e => (e.Offset, disk.Read(e.Offset, checked((int)e.Length)))).ToList();
            return new ImageTorrent(256 * 1024, extents, diskSize: null, announce: announce);
        }
        finally
        {
            GoldenDisk.Detach(partition);
        }
    }
}
