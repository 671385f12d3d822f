using EzioPxe.Client.Disk;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Disk;

public class DiskSelectorTests
{
    /// <summary>A fake /sys/block entry with the attributes the selector reads.</summary>
    private static void AddDisk(string sys, string name, long sectors, string dev, bool removable = false, bool readOnly = false, string? scsiType = null)
    {
        var dir = Path.Combine(sys, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "size"), sectors + "\n");
        File.WriteAllText(Path.Combine(dir, "dev"), dev + "\n");
        File.WriteAllText(Path.Combine(dir, "removable"), removable ? "1\n" : "0\n");
        File.WriteAllText(Path.Combine(dir, "ro"), readOnly ? "1\n" : "0\n");
        if (scsiType != null)
        {
            Directory.CreateDirectory(Path.Combine(dir, "device"));
            File.WriteAllText(Path.Combine(dir, "device", "type"), scsiType + "\n");
        }
    }

    private static (TempDirectory Dir, string Sys, string Dev) Tree()
    {
        var dir = new TempDirectory();
        var sys = Path.Combine(dir.Path, "sys", "block");
        var dev = Path.Combine(dir.Path, "dev");
        Directory.CreateDirectory(sys);
        Directory.CreateDirectory(dev);
        return (dir, sys, dev);
    }

    [Fact]
    public void A_partition_number_is_found_among_the_disks_partitions_whatever_their_names()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        AddDisk(sys, "nvme0n1", 1_953_525_168, "259:0");
        foreach (var (name, number) in new[] { ("nvme0n1p1", 1), ("nvme0n1p2", 2), ("nvme0n1p10", 10) })
        {
            var part = Path.Combine(sys, "nvme0n1", name);
            Directory.CreateDirectory(part);
            File.WriteAllText(Path.Combine(part, "partition"), number + "\n");
        }
        Directory.CreateDirectory(Path.Combine(sys, "nvme0n1", "queue")); // not a partition

        var selector = new DiskSelector(sys, dev);
        Assert.Equal(Path.Combine(dev, "nvme0n1p2"), selector.ResolvePartition(Path.Combine(dev, "nvme0n1"), 2));
        Assert.Equal(Path.Combine(dev, "nvme0n1p10"), selector.ResolvePartition(Path.Combine(dev, "nvme0n1"), 10));
        var missing = Assert.Throws<DiskSelectionException>(() => selector.ResolvePartition(Path.Combine(dev, "nvme0n1"), 3));
        Assert.Equal($"ezio.part=3: {Path.Combine(dev, "nvme0n1")} has no partition 3 (its partitions: nvme0n1p1, nvme0n1p10, nvme0n1p2)", missing.Message);
        Assert.Contains("is not a whole disk", Assert.Throws<DiskSelectionException>(() => selector.ResolvePartition(Path.Combine(dev, "sdz"), 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_takes_the_largest_fixed_writable_disk()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        AddDisk(sys, "sda", 1_000_215_216, "8:0", scsiType: "0");                 // 512 GB SATA SSD
        AddDisk(sys, "nvme0n1", 1_953_525_168, "259:0");                          // 1 TB NVMe: the winner
        AddDisk(sys, "sdb", 3_907_029_168, "8:16", removable: true, scsiType: "0"); // 2 TB USB disk
        AddDisk(sys, "sr0", 8_000_000_000, "11:0", removable: true, scsiType: "5"); // optical
        AddDisk(sys, "loop0", 9_000_000_000, "7:0");
        AddDisk(sys, "ram0", 9_000_000_000, "1:0");
        AddDisk(sys, "zram0", 9_000_000_000, "252:0");
        AddDisk(sys, "md127", 9_000_000_000, "9:127");
        AddDisk(sys, "dm-0", 9_000_000_000, "253:0");
        AddDisk(sys, "mmcblk0boot0", 8_192, "179:8", readOnly: true);
        AddDisk(sys, "sdc", 0, "8:32", scsiType: "0");                            // card reader, no card

        var selector = new DiskSelector(sys, dev);
        var chosen = selector.SelectAuto();
        Assert.Equal(Path.Combine(dev, "nvme0n1"), chosen.DevicePath);
        Assert.Equal(1_953_525_168L * 512, chosen.Size);
        Assert.Equal(Path.Combine(dev, "nvme0n1"), selector.Resolve("auto"));

        var reasons = selector.Candidates().ToDictionary(c => c.Name, c => c.Rejected);
        Assert.Equal("removable", reasons["sdb"]);
        Assert.Equal("an optical drive", reasons["sr0"]);
        Assert.Equal("a loop device", reasons["loop0"]);
        Assert.Equal("a RAM disk", reasons["ram0"]);
        Assert.Equal("a compressed RAM disk (zram)", reasons["zram0"]);
        Assert.Equal("a software RAID (md) device", reasons["md127"]);
        Assert.Equal("a device-mapper volume (LVM or encryption)", reasons["dm-0"]);
        Assert.Equal("read-only", reasons["mmcblk0boot0"]);
        Assert.Equal("empty (no medium)", reasons["sdc"]);
        Assert.Null(reasons["sda"]);
    }

    [Fact]
    public void An_optical_drive_is_known_by_its_scsi_type_whatever_its_name()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        AddDisk(sys, "sdz", 4_000_000, "65:144", scsiType: "5");
        AddDisk(sys, "sda", 2_000_000, "8:0", scsiType: "0");
        Assert.Equal("sda", new DiskSelector(sys, dev).SelectAuto().Name);
    }

    [Fact]
    public void Ties_go_to_the_first_name()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        AddDisk(sys, "sdb", 2_000_000, "8:16");
        AddDisk(sys, "sda", 2_000_000, "8:0");
        Assert.Equal("sda", new DiskSelector(sys, dev).SelectAuto().Name);
    }

    [Fact]
    public void No_eligible_disk_says_what_was_seen_and_why_not()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        AddDisk(sys, "sdb", 2_000_000, "8:16", removable: true);
        AddDisk(sys, "loop0", 2_000_000, "7:0");
        var error = Assert.Throws<DiskSelectionException>(() => new DiskSelector(sys, dev).SelectAuto());
        Assert.Contains("sdb (1.0 GB): removable", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop0 (1.0 GB): a loop device", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_looked_up_in_by_id_then_by_path_then_dev()
    {
        var (dir, sys, dev) = Tree();
        using var _ = dir;
        Directory.CreateDirectory(Path.Combine(dev, "disk", "by-id"));
        Directory.CreateDirectory(Path.Combine(dev, "disk", "by-path"));
        File.WriteAllText(Path.Combine(dev, "disk", "by-id", "ata-Samsung_SSD_860_EVO_500GB_S3Z1"), "");
        File.WriteAllText(Path.Combine(dev, "disk", "by-path", "pci-0000:00:1f.2-ata-1"), "");
        File.WriteAllText(Path.Combine(dev, "sda"), "");
        var selector = new DiskSelector(sys, dev);
        Assert.Equal(Path.Combine(dev, "disk", "by-id", "ata-Samsung_SSD_860_EVO_500GB_S3Z1"), selector.Resolve("ata-Samsung_SSD_860_EVO_500GB_S3Z1"));
        Assert.Equal(Path.Combine(dev, "disk", "by-path", "pci-0000:00:1f.2-ata-1"), selector.Resolve("pci-0000:00:1f.2-ata-1"));
        Assert.Equal(Path.Combine(dev, "sda"), selector.Resolve("sda"));
        Assert.Equal("/dev/nvme0n1", selector.Resolve("/dev/nvme0n1"));
        var error = Assert.Throws<DiskSelectionException>(() => selector.Resolve("wwn-0x5000c500a1b2c3d4"));
        Assert.Contains("disk 'wwn-0x5000c500a1b2c3d4' is not in", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_sys_block_is_read_through_its_symlinks()
    {
        var candidates = new DiskSelector().Candidates();
        Assert.NotEmpty(candidates);
        Assert.All(candidates.Where(c => c.Name.StartsWith("loop", StringComparison.Ordinal)), c => Assert.Equal("a loop device", c.Rejected));
        Assert.Contains(candidates, c => c.Size > 0);
    }
}
