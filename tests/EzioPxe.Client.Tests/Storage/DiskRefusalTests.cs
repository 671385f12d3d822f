using System.Security.Cryptography;
using EzioPxe.Client.Disk;
using EzioPxe.Client.Storage;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Storage;

/// <summary>Targets that must be refused before a byte is written, each with its reason.</summary>
[Trait("Needs", "root")]
public class DiskRefusalTests
{
    private static readonly ImageTorrent SmallImage = new(16384, [(0x0, ImageTorrent.Random(4096, 1)), (0x10003, ImageTorrent.Random(1000, 2))]);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_disk_smaller_than_the_image_is_refused()
    {
        using var area = new DiskTestArea();
        var backing = area.CreateFile("small.img", 1 << 20);
        var hash = Hash(backing);
        var loop = area.AttachLoop(backing);
        var image = new ImageTorrent(16384, [(0x0, ImageTorrent.Random(4096, 1))], diskSize: 2 << 20);

        var error = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(image.Info, loop));
        Assert.Equal([DiskRefusal.TooSmall], error.Reasons);
        Assert.Equal($"refusing to write {loop}: it is too small: 1.0 MB (1048576 bytes) but the image needs 2.1 MB (2097152 bytes)", error.Message);

        // Without the size key, the end of the last extent decides.
        var beyond = new ImageTorrent(16384, [(0xfff00, ImageTorrent.Random(1000, 3))]);
        Assert.Equal([DiskRefusal.TooSmall], Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(beyond.Info, loop)).Reasons);
        Assert.Equal(hash, Hash(backing));
    }

    [Fact]
    public void A_mounted_disk_is_refused()
    {
        using var area = new DiskTestArea();
        // A whole-disk file system, mounted.
        var whole = area.CreateFile("whole.img", 16 << 20, fill: 0);
        var wholeLoop = area.AttachLoop(whole);
        Tool.Run("mkfs.ext4", "-q", "-F", wholeLoop).EnsureSuccess("mkfs.ext4");
        var wholeMount = area.Mount(wholeLoop);
        // ext4 itself may write to the mounted disk at any time, but never below its superblock at 1024.
        var bootBlock = File.ReadAllBytes(whole)[..1024];
        var error = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(SmallImage.Info, wholeLoop));
        Assert.Contains(DiskRefusal.Mounted, error.Reasons);
        Assert.Contains($"{wholeLoop} is mounted on {wholeMount} (ext4); unmount it first", error.Message, StringComparison.Ordinal);

        Assert.Equal(bootBlock, File.ReadAllBytes(whole)[..1024]);
    }

    [Fact]
    public void A_disk_with_a_mounted_partition_is_refused()
    {
        using var area = new DiskTestArea();
        // The test kernel may have no partition parser, so the disk's partition is described by
        // a sysfs tree of our own: its "partition" is another loop device, which is really mounted.
        var disk = area.AttachLoop(area.CreateFile("disk.img", 16 << 20, fill: 0));
        var partitionFile = area.CreateFile("partition.img", 8 << 20, fill: 0);
        var partition = area.AttachLoop(partitionFile);
        Tool.Run("mkfs.ext4", "-q", "-F", partition).EnsureSuccess("mkfs.ext4");
        var mount = area.Mount(partition);
        var diskNumber = File.ReadAllText($"/sys/block/{Path.GetFileName(disk)}/dev").Trim();
        var partitionDir = Path.Combine(area.Path, "sys", diskNumber, Path.GetFileName(disk) + "p1");
        Directory.CreateDirectory(Path.Combine(partitionDir, "holders"));
        File.WriteAllText(Path.Combine(partitionDir, "partition"), "1\n");
        File.WriteAllText(Path.Combine(partitionDir, "dev"), File.ReadAllText($"/sys/block/{Path.GetFileName(partition)}/dev"));
        var preflight = new DiskPreflight { SysDevBlockRoot = Path.Combine(area.Path, "sys") };

        var error = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(SmallImage.Info, disk, preflight));
        Assert.Equal([DiskRefusal.Mounted], error.Reasons);
        Assert.Contains($"its partition {Path.GetFileName(disk)}p1 is mounted on {mount} (ext4)", error.Message, StringComparison.Ordinal);

        // And a partition that LVM or RAID is built on is refused as well.
        File.WriteAllText(Path.Combine(partitionDir, "holders", "dm-0"), "");
        Tool.Run("umount", mount).EnsureSuccess("umount");
        var held = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(SmallImage.Info, disk, preflight));
        Assert.Equal([DiskRefusal.Held], held.Reasons);
        Assert.Contains("is part of dm-0", held.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_disk_is_refused()
    {
        using var area = new DiskTestArea();
        var backing = area.CreateFile("ro.img", 4 << 20);
        var hash = Hash(backing);
        var loop = area.AttachLoop(backing, readOnly: true);
        var error = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(SmallImage.Info, loop));
        Assert.Equal([DiskRefusal.ReadOnly], error.Reasons);
        Assert.Contains("it is read-only (the kernel reports ro=1", error.Message, StringComparison.Ordinal);
        Assert.Equal(hash, Hash(backing));
    }

    [Fact]
    public void Several_reasons_are_given_together()
    {
        using var area = new DiskTestArea();
        var loop = area.AttachLoop(area.CreateFile("tiny.img", 64 << 10), readOnly: true);
        var error = Assert.Throws<DiskRefusedException>(() => DiskPieceStorage.Open(SmallImage.Info, loop));
        Assert.Equal([DiskRefusal.TooSmall, DiskRefusal.ReadOnly], error.Reasons);
    }

    [Fact]
    public void Mountinfo_and_swaps_are_parsed_with_their_escapes()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("mountinfo"),
            "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n" +
            "40 22 8:17 / /mnt/my\\040disk rw,relatime shared:5 master:1 - vfat /dev/sdb1 rw\n" +
            "41 22 0:45 / /srv rw - btrfs /dev/sdc rw\n");
        File.WriteAllText(dir.File("swaps"), "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda3                               partition\t8388604\t\t0\t\t-2\n/swap\\040file file 100 0 -3\n");
        var mounts = MountTable.ReadMountInfo(dir.File("mountinfo"));
        Assert.Equal(new MountEntry(new DeviceNumber(8, 17), "/mnt/my disk", "vfat", "/dev/sdb1"), mounts[1]);
        Assert.Equal("/dev/sdc", mounts[2].Source);
        Assert.Equal(["/dev/sda3", "/swap file"], MountTable.ReadSwaps(dir.File("swaps")));
    }
}
