using System.Buffers.Binary;
using EzioPxe.Server.Cli;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.FileSystems;
using EzioPxe.Imaging.FileSystems.Fat;
using EzioPxe.Imaging.Partitions;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// Damaged disks: every problem gets a message that says what is wrong, and a partition whose
/// filesystem cannot be trusted is kept whole (minus zeros) rather than dropped.
/// </summary>
[Trait("Needs", "root")]
public sealed class BadInputTests
{
    private const string TwoExtPartitions = "label: gpt\n,32M,L\n,,L\n";

    [Fact]
    public void Truncated_image_keeps_what_is_left_of_the_cut_partition_and_says_so()
    {
        using var temp = new TempDirectory("img-trunc");
        using var disk = TestDisk.Create(temp.File("disk.img"), 96L << 20, TwoExtPartitions);
        MakeExt4(disk, 2, temp);
        var (start, _) = disk.Partition(2);
        var cut = start + (24L << 20);
        using (var file = File.OpenWrite(disk.ImagePath))
        {
            file.SetLength(cut);
        }

        var scan = DiskScanner.Scan(disk.ImagePath);
        Assert.Equal(PartitionTableKind.Gpt, scan.PartitionTable);
        Assert.Contains(scan.Notes, n => n.Contains("backup GPT header is damaged or missing", StringComparison.Ordinal) && n.Contains("truncated", StringComparison.Ordinal));
        var second = scan.Partitions.Single(p => p.Index == 2);
        Assert.True(second.KeptWhole);
        Assert.Equal(FileSystemKind.Ext4, second.FileSystem);
        Assert.Contains(second.Notes, n => n.Contains("the image is truncated", StringComparison.Ordinal) && n.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(second.Notes, n => n.StartsWith("damaged ext4: the filesystem is", StringComparison.Ordinal) && n.EndsWith("kept whole minus runs of zeros", StringComparison.Ordinal));
        Assert.True(second.UsedBytes > 0);
        Assert.All(scan.Extents, e => Assert.True(e.End <= cut));
        // The part of the file system that is there travels: its superblock at least.
        Assert.Contains(scan.Extents, e => e.Offset <= start + 1024 && e.End >= start + 2048);
    }

    [Fact]
    public void Gpt_with_bad_primary_header_crc_falls_back_to_the_backup()
    {
        using var temp = new TempDirectory("img-gpt-crc");
        using var disk = TestDisk.Create(temp.File("disk.img"), 64L << 20, "label: gpt\n,16M,L\n,16M,L\n");
        var good = DiskScanner.Scan(disk.ImagePath);
        FlipByte(disk.ImagePath, 512 + 60); // Inside the disk GUID: the header CRC no longer matches.

        var scan = DiskScanner.Scan(disk.ImagePath);
        Assert.Equal(PartitionTableKind.Gpt, scan.PartitionTable);
        Assert.Contains(scan.Notes, n => n.StartsWith("primary GPT header is damaged (header CRC mismatch", StringComparison.Ordinal) && n.Contains("using the backup header at LBA 131071", StringComparison.Ordinal));
        Assert.Equal(good.Partitions.Select(p => (p.Start, p.Length)), scan.Partitions.Select(p => (p.Start, p.Length)));
        // A good GPT's header sectors do not travel (the client writes them); a damaged primary's do, as they are.
        Assert.NotNull(good.GptHeader);
        Assert.DoesNotContain(good.Extents, e => e.Offset <= 512 && e.End > 512);
        Assert.Null(scan.GptHeader);
        Assert.Contains(scan.Extents, e => e.Offset <= 512 && e.End > 512);
        Assert.Contains(scan.Notes, n => n.StartsWith("the GPT header sectors travel as they are", StringComparison.Ordinal));

        var output = new StringWriter();
        Assert.Equal(0, ImageCommands.Create(new[] { disk.ImagePath, "--output", temp.File("x.torrent") }, output, new StringWriter()));
        Assert.Contains("note: primary GPT header is damaged", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gpt_with_bad_primary_entry_array_crc_falls_back_to_the_backup()
    {
        using var temp = new TempDirectory("img-gpt-entries");
        using var disk = TestDisk.Create(temp.File("disk.img"), 64L << 20, "label: gpt\n,16M,L\n,16M,L\n");
        FlipByte(disk.ImagePath, 1024 + 128 + 33); // Second entry's first LBA.

        var scan = DiskScanner.Scan(disk.ImagePath);
        Assert.Contains(scan.Notes, n => n.Contains("primary GPT header is damaged (entry array CRC mismatch", StringComparison.Ordinal));
        Assert.Equal(2, scan.Partitions.Count);
        Assert.Equal(17L << 20, scan.Partitions[1].Start);
    }

    [Fact]
    public void Gpt_with_both_headers_bad_is_kept_whole_minus_zeros()
    {
        using var temp = new TempDirectory("img-gpt-both");
        using var disk = TestDisk.Create(temp.File("disk.img"), 64L << 20, "label: gpt\n,16M,L\n,16M,L\n");
        DiskBytes.WriteRandom(disk.ImagePath, 20L << 20, 8192, seed: 1);
        FlipByte(disk.ImagePath, 512 + 60);
        FlipByte(disk.ImagePath, (64L << 20) - 512 + 60);

        var scan = DiskScanner.Scan(disk.ImagePath);
        Assert.Equal(PartitionTableKind.None, scan.PartitionTable);
        Assert.Contains(scan.Notes, n => n.StartsWith("both GPT headers are damaged (primary: header CRC mismatch", StringComparison.Ordinal) && n.Contains("treating the disk as unpartitioned", StringComparison.Ordinal));
        var whole = Assert.Single(scan.Partitions);
        Assert.True(whole.KeptWhole);
        // Everything non-zero travels: protective MBR, both GPT copies, the random data.
        Assert.Contains(scan.Extents, e => e.Offset == 0);
        Assert.Contains(scan.Extents, e => e.Offset <= 20L << 20 && e.End >= (20L << 20) + 8192);
        Assert.Contains(scan.Extents, e => e.End == 64L << 20);
        Assert.True(scan.UsedBytes < 1 << 20);
    }

    [Fact]
    public void Corrupt_ext4_superblock_is_reported_and_the_partition_kept_whole()
    {
        using var temp = new TempDirectory("img-ext-sb");
        using var disk = TestDisk.Create(temp.File("disk.img"), 96L << 20, TwoExtPartitions);
        MakeExt4(disk, 1, temp);
        var (start, _) = disk.Partition(1);
        var goodScan = DiskScanner.Scan(disk.ImagePath);
        Assert.False(goodScan.Partitions[0].KeptWhole);
        // s_blocks_per_group, as a stray write would; metadata_csum catches it first.
        FlipByte(disk.ImagePath, start + 1024 + 0x20);

        var scan = DiskScanner.Scan(disk.ImagePath);
        var first = scan.Partitions[0];
        Assert.True(first.KeptWhole);
        Assert.Equal(FileSystemKind.Ext4, first.FileSystem);
        Assert.Contains(first.Notes, n => n.StartsWith("damaged ext4: ext4 superblock checksum mismatch", StringComparison.Ordinal));
        // Kept whole minus zeros: every used block that is not all zeros (files, directories,
        // written metadata) still travels; only zero blocks (unwritten journal, inode tables) stay.
        using var image = DiskImage.Open(disk.ImagePath);
        foreach (var dropped in Partclone.Minus(goodScan.Extents, scan.Extents))
        {
            Assert.False(image.Read(dropped.Offset, (int)dropped.Length).AsSpan().ContainsAnyExcept((byte)0), $"non-zero used bytes dropped at {dropped}");
        }
    }

    [Fact]
    public void Corrupt_ext2_superblock_without_checksum_is_caught_by_its_geometry()
    {
        using var temp = new TempDirectory("img-ext2-sb");
        using var disk = TestDisk.Create(temp.File("fs.img"), 32L << 20, null);
        Tool.Run("mkfs.ext2", "-q", "-F", disk.ImagePath).EnsureSuccess("mkfs.ext2");
        var superblock = File.ReadAllBytes(disk.ImagePath).AsSpan(1024, 1024).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(superblock.AsSpan(0x28), BinaryPrimitives.ReadUInt32LittleEndian(superblock.AsSpan(0x28)) + 8);
        using (var file = File.OpenHandle(disk.ImagePath, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, superblock, 1024);
        }
        var scan = DiskScanner.Scan(disk.ImagePath);
        var whole = Assert.Single(scan.Partitions);
        Assert.True(whole.KeptWhole);
        Assert.Contains(whole.Notes, n => n.StartsWith("damaged ext2: ext superblock is corrupt: ", StringComparison.Ordinal) && n.Contains("inodes per group", StringComparison.Ordinal));
    }

    [Fact]
    public void Fat32_with_a_looping_cluster_chain_is_kept_whole()
    {
        using var temp = new TempDirectory("img-fat-loop");
        var (path, boot) = MakeFat(temp, "32", 64);
        // Close the file's chain on itself: its last cluster points back to its first.
        var fat = ReadFat(path, boot);
        var first = 3u;
        var last = first;
        while (BinaryPrimitives.ReadUInt32LittleEndian(fat.AsSpan((int)last * 4)) is var next && next < 0x0FFFFFF8)
        {
            last = next;
        }
        Assert.True(last > first + 10);
        WriteFatEntry(path, boot, last, first);

        var scan = DiskScanner.Scan(path);
        var whole = Assert.Single(scan.Partitions);
        Assert.True(whole.KeptWhole);
        Assert.Equal(FileSystemKind.Fat32, whole.FileSystem);
        Assert.Contains(whole.Notes, n => n.StartsWith($"damaged fat32: FAT32 allocation table is corrupt: the cluster chain through cluster {first} loops back on itself", StringComparison.Ordinal));
    }

    [Fact]
    public void Fat16_with_an_out_of_range_cluster_is_kept_whole()
    {
        using var temp = new TempDirectory("img-fat-range");
        var (path, boot) = MakeFat(temp, "16", 32);
        WriteFatEntry(path, boot, 5, 0xFF00); // Far beyond the last cluster, below the reserved values.

        var scan = DiskScanner.Scan(path);
        var whole = Assert.Single(scan.Partitions);
        Assert.True(whole.KeptWhole);
        Assert.Contains(whole.Notes, n => n.Contains("FAT16 allocation table is corrupt: cluster 5 points to cluster 0xff00, outside the volume's clusters 2..", StringComparison.Ordinal));
        Assert.True(whole.UsedBytes >= 64 * 1024);
    }

    [Fact]
    public void Image_that_is_not_there_or_empty_gets_a_clear_error()
    {
        using var temp = new TempDirectory("img-missing");
        var error = new StringWriter();
        Assert.Equal(1, ImageCommands.Create(new[] { temp.File("nope.img") }, new StringWriter(), error));
        Assert.Contains("no disk image or block device at", error.ToString(), StringComparison.Ordinal);
        File.WriteAllBytes(temp.File("empty.img"), Array.Empty<byte>());
        error = new StringWriter();
        Assert.Equal(1, ImageCommands.Create(new[] { temp.File("empty.img") }, new StringWriter(), error));
        Assert.Contains("is empty", error.ToString(), StringComparison.Ordinal);
        error = new StringWriter();
        Assert.Equal(2, ImageCommands.Create(new[] { temp.File("empty.img"), "--piece-size", "3M" }, new StringWriter(), error));
        Assert.Contains("must be a power of two", error.ToString(), StringComparison.Ordinal);
    }

    private static void MakeExt4(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("mkfs.ext4", "-q", "-F", device).EnsureSuccess("mkfs.ext4");
        var mount = disk.Mount(device, temp.File($"mnt{partition}"));
        TestFiles.Write(Path.Combine(mount, "dir"), seed: partition);
        disk.Unmount(mount);
        disk.Detach(device);
    }

    private static (string Path, FatBootSector Boot) MakeFat(TempDirectory temp, string bits, int sizeMiB)
    {
        var path = temp.File("fat.img");
        using (var file = File.Create(path))
        {
            file.SetLength((long)sizeMiB << 20);
        }
        Tool.Run("mkfs.vfat", "-F", bits, "-s", bits == "32" ? "1" : "4", path).EnsureSuccess("mkfs.vfat");
        var data = new byte[256 * 1024];
        new Random(1).NextBytes(data);
        File.WriteAllBytes(temp.File("payload.bin"), data);
        Tool.Run("mcopy", "-i", path, temp.File("payload.bin"), "::/payload.bin").EnsureSuccess("mcopy");
        using var image = DiskImage.Open(path);
        var boot = FatBootSector.Parse(image.Read(0, 512), image.Size);
        Assert.Equal(0, Tool.Run("fsck.fat", "-n", path).ExitCode);
        return (path, boot);
    }

    private static byte[] ReadFat(string path, FatBootSector boot)
    {
        using var image = DiskImage.Open(path);
        return image.Read((long)boot.ReservedSectors * boot.BytesPerSector, (int)(boot.SectorsPerFat * boot.BytesPerSector));
    }

    /// <summary>Writes a FAT16/32 entry into every FAT copy, as a buggy driver would.</summary>
    private static void WriteFatEntry(string path, FatBootSector boot, uint cluster, uint value)
    {
        var width = boot.Kind == FileSystemKind.Fat32 ? 4 : 2;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        for (var copy = 0; copy < boot.FatCount; copy++)
        {
            var offset = ((long)boot.ReservedSectors + copy * boot.SectorsPerFat) * boot.BytesPerSector + cluster * width;
            var bytes = new byte[width];
            if (width == 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
            }
            RandomAccess.Write(file, bytes, offset);
        }
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var b = new byte[1];
        RandomAccess.Read(file, b, offset);
        b[0] ^= 0x5A;
        RandomAccess.Write(file, b, offset);
    }
}
