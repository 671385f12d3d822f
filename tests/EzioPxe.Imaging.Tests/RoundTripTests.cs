using System.Security.Cryptography;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Cli;
using EzioPxe.Imaging;
using EzioPxe.Imaging.FileSystems;
using EzioPxe.Imaging.Torrent;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;
using Xunit.Abstractions;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// `image create` on a disk partitioned and filled by the real tools, then only the torrent's
/// files, each placed by its name alone, written onto a disk of the same size full of old
/// (pseudo-random) bytes, its x-eziopxe-zero ranges zeroed and its GPT headers written from
/// x-eziopxe-gpt-header as a client does: the partition table must read back the same, every
/// filesystem must pass its fsck and every file must have its checksum.
/// </summary>
[Trait("Needs", "root")]
public sealed class RoundTripTests(ITestOutputHelper output)
{
    private const string NtfsType = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";

    [Fact]
    public void Gpt_disk_with_fat32_ext4_ntfs_swap_and_unknown_partitions_round_trips()
    {
        using var temp = new TempDirectory("img-gpt");
        // 48 MiB left unpartitioned at the end, with garbage in it that must not travel.
        using var source = TestDisk.Create(temp.File("source.img"), 240L << 20,
            $"label: gpt\n,40M,U\n,64M,L\n,32M,{NtfsType}\n,8M,S\n,16M,L\n");
        var files = new Dictionary<int, Dictionary<string, string>>();
        files[1] = FillFat(source, 1, "32", temp);
        files[2] = FillExt(source, 2, "mkfs.ext4", temp);
        files[3] = FillNtfs(source, 3, temp);
        Tool.Run("mkswap", "-L", "lab-swap", source.AttachPartition(4)).EnsureSuccess("mkswap");
        var (unknownStart, _) = source.Partition(5);
        DiskBytes.WriteRandom(source.ImagePath, unknownStart + (2 << 20), 1 << 20, seed: 5);
        DiskBytes.WriteRandom(source.ImagePath, 64 << 10, 8 << 10, seed: 6); // A boot loader in the gap before partition 1.
        DiskBytes.WriteRandom(source.ImagePath, 200L << 20, 4096, seed: 7); // Unpartitioned: dropped.

        var (scan, target) = CreateAndPlace(source, temp);
        Assert.Equal("gpt", scan.PartitionTable);
        Assert.Equal(new[] { "fat32", "ext4", "ntfs", "swap", "unknown" }, scan.Partitions.Select(p => p.FileSystem));
        Assert.True(scan.Partitions[4].KeptWhole);
        Assert.Equal(1 << 20, scan.Partitions[4].UsedBytes); // Only the non-zero MiB of the unknown partition.
        Assert.Equal(4096, scan.Partitions[3].UsedBytes);
        Assert.Contains(scan.Notes, n => n.Contains("partition 5: no filesystem the scanner knows", StringComparison.Ordinal));

        using var restored = TestDiskFrom(target);
        AssertSameTable(source.ImagePath, target, gpt: true);
        Assert.Equal(Sha(source.ImagePath, 0, 1 << 20), Sha(target, 0, 1 << 20)); // MBR, GPT, boot loader gap.
        var size = new FileInfo(target).Length;
        Assert.Equal(Sha(source.ImagePath, size - 33 * 512, 33 * 512), Sha(target, size - 33 * 512, 33 * 512)); // Backup GPT entries and header.
        Assert.Equal(OldByteAt(200L << 20), DiskBytes.Read(target, 200L << 20, 1)[0]); // unpartitioned: the target's old bytes stay
        Assert.Equal(files[1], ReadFat(restored, 1, temp));
        Assert.Equal(files[2], ReadExt(restored, 2, temp));
        Assert.Equal(files[3], ReadNtfs(restored, 3, temp));
        var (swapStart, _) = source.Partition(4);
        Assert.Equal(Sha(source.ImagePath, swapStart, 4096), Sha(target, swapStart, 4096));
        Assert.Equal(Sha(source.ImagePath, unknownStart, 16 << 20), Sha(target, unknownStart, 16 << 20));
    }

    [Fact]
    public void Mbr_disk_with_logical_partitions_round_trips()
    {
        using var temp = new TempDirectory("img-mbr");
        using var source = TestDisk.Create(temp.File("source.img"), 128L << 20,
            "label: dos\n,40M,83\n,,E\n,48M,06\n,16M,01\n");
        var files = new Dictionary<int, Dictionary<string, string>>
        {
            [1] = FillExt(source, 1, "mkfs.ext2", temp),
            [5] = FillFat(source, 5, "16", temp, sectorsPerCluster: "4"),
            [6] = FillFat(source, 6, "12", temp, sectorsPerCluster: "16"),
        };
        var (scan, target) = CreateAndPlace(source, temp);
        Assert.Equal("mbr", scan.PartitionTable);
        Assert.Equal(new[] { 1, 5, 6 }, scan.Partitions.Select(p => p.Index));
        Assert.Equal(new[] { "ext2", "fat16", "fat12" }, scan.Partitions.Select(p => p.FileSystem));

        using var restored = TestDiskFrom(target);
        AssertSameTable(source.ImagePath, target, gpt: false);
        Assert.Equal(files[1], ReadExt(restored, 1, temp));
        Assert.Equal(files[5], ReadFat(restored, 5, temp));
        Assert.Equal(files[6], ReadFat(restored, 6, temp));
    }

    /// <summary>
    /// Runs `image create`, checks the torrent (names, order, disk size, private, piece hashes
    /// recomputed here the plain way), and writes each file at the offset its name gives onto a
    /// fresh sparse file of the disk's size.
    /// </summary>
    private (ImageLayout Layout, string Target) CreateAndPlace(TestDisk source, TempDirectory temp)
    {
        var torrentPath = temp.File("lab.torrent");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = ImageCommands.Create(new[] { source.ImagePath, "--name", "lab", "--output", torrentPath, "--announce", "http://127.0.0.1:1/announce" }, stdout, stderr);
        output.WriteLine(stdout.ToString());
        Assert.True(exit == 0, stderr.ToString());

        var torrent = Engine.Metainfo.Torrent.Load(torrentPath);
        var diskSize = new FileInfo(source.ImagePath).Length;
        Assert.True(torrent.Info.IsPrivate);
        Assert.Equal("http://127.0.0.1:1/announce", torrent.Announce);
        Assert.Equal(diskSize, ImageTorrent.DiskSize(torrent));
        Assert.True(torrent.Info.PieceLength >= 256 * 1024);

        var target = temp.File("target.img");
        WriteOldContent(target, diskSize);
        using var sourceFile = File.OpenHandle(source.ImagePath);
        using var targetFile = File.OpenHandle(target, FileMode.Open, FileAccess.Write);
        var extents = torrent.Info.Files.Select(f => (Offset: Convert.ToInt64(f.Path, 16), f.Length)).ToList();
        var zeros = ZeroRangeList.Decode(((BString)torrent.Info.Dictionary[ImageInfoKeys.Zero]!).Bytes.Span);
        foreach (var zero in zeros)
        {
            Assert.Equal(0, zero.Offset % 512);
            Assert.DoesNotContain(extents, e => e.Offset < zero.End && zero.Offset < e.Offset + e.Length);
            Assert.True(DiskBytes.Read(source.ImagePath, zero.Offset, (int)zero.Length).AsSpan().IndexOfAnyExcept((byte)0) < 0, $"zero range {zero} holds data in the source");
            RandomAccess.Write(targetFile, new byte[zero.Length], zero.Offset);
        }
        if (torrent.Info.Dictionary[ImageInfoKeys.GptHeader] is BString header)
        {
            Assert.DoesNotContain(extents, e => e.Offset <= 512 && 512 < e.Offset + e.Length); // LBA 1 does not travel
            var fit = GptFit.For(header.Bytes.Span, diskSize);
            Assert.Equal(0, fit.GrowthSectors);
            var entries = new byte[fit.EntriesBytes];
            RandomAccess.Read(sourceFile, entries, fit.PrimaryEntriesLba * 512);
            RandomAccess.Write(targetFile, fit.PrimaryHeader, 512);
            RandomAccess.Write(targetFile, entries, fit.BackupEntriesLba * 512);
            RandomAccess.Write(targetFile, fit.BackupHeader, fit.BackupHeaderLba * 512);
            Assert.Equal(DiskBytes.Read(source.ImagePath, 512, 512), fit.PrimaryHeader);
            Assert.Equal(DiskBytes.Read(source.ImagePath, fit.BackupHeaderLba * 512, 512), fit.BackupHeader);
        }
        var stream = new MemoryStream();
        long previousEnd = -1;
        foreach (var f in torrent.Info.Files)
        {
            Assert.Matches("^[0-9a-f]{32}$", f.Path);
            var offset = Convert.ToInt64(f.Path, 16);
            Assert.True(offset > previousEnd, "files are ordered by offset and not adjacent (merged)");
            Assert.Equal(0, offset % 512);
            previousEnd = offset + f.Length;
            var data = new byte[f.Length];
            RandomAccess.Read(sourceFile, data, offset);
            RandomAccess.Write(targetFile, data, offset);
            stream.Write(data);
        }
        Assert.True(previousEnd <= diskSize);
        var content = stream.ToArray();
        Assert.Equal(torrent.Info.TotalLength, content.Length);
        for (var piece = 0; piece < torrent.Info.PieceCount; piece++)
        {
            var start = (long)piece * torrent.Info.PieceLength;
            var hash = SHA1.HashData(content.AsSpan((int)start, torrent.Info.GetPieceSize(piece)));
            Assert.True(hash.AsSpan().SequenceEqual(torrent.Info.GetPieceHash(piece)), $"piece {piece} hash");
        }

        var inspect = new StringWriter();
        Assert.Equal(0, ImageCommands.Inspect(new[] { torrentPath }, inspect, new StringWriter()));
        output.WriteLine(inspect.ToString());
        Assert.Contains("Travels:", inspect.ToString(), StringComparison.Ordinal);
        return (ImageTorrent.Layout(torrent)!, target);
    }

    private static TestDisk TestDiskFrom(string path) => TestDisk.Open(path);

    private static void AssertSameTable(string source, string target, bool gpt)
    {
        string Dump(string path) => Tool.Run("sfdisk", "-d", path).EnsureSuccess("sfdisk -d").StandardOutput.Replace(path, "DISK", StringComparison.Ordinal);
        Assert.Equal(Dump(source), Dump(target));
        // sgdisk reads an MBR by converting it to a GPT with a fresh random disk GUID; fdisk reads it as it is.
        string Print(string path) => (gpt ? Tool.Run("sgdisk", "-p", path) : Tool.Run("fdisk", "-l", path)).EnsureSuccess("print table")
            .StandardOutput.Replace(path, "DISK", StringComparison.Ordinal);
        Assert.Equal(Print(source), Print(target));
    }

    private static Dictionary<string, string> FillFat(TestDisk disk, int partition, string bits, TempDirectory temp, string sectorsPerCluster = "1")
    {
        var device = disk.AttachPartition(partition);
        var directory = temp.File($"fat{partition}");
        var files = TestFiles.Write(directory, seed: partition, count: bits == "12" ? 5 : 6);
        TestFileSystems.MakeFat(device, ["mkfs.vfat", "-F", bits, "-s", sectorsPerCluster], "dir", files.Keys.ToDictionary(n => n, n => Path.Combine(directory, n)));
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> ReadFat(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("fsck.vfat", "-n", device).EnsureSuccess("fsck.vfat -n on the restored disk");
        var directory = temp.File($"fat{partition}-restored");
        Directory.CreateDirectory(directory);
        Tool.Run("mcopy", "-i", device, "::/dir/*", directory).EnsureSuccess("mcopy out");
        disk.Detach(device);
        return DiskBytes.HashDirectory(directory);
    }

    private static Dictionary<string, string> FillExt(TestDisk disk, int partition, string mkfs, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        var files = TestFileSystems.MakeMounted(device, [mkfs, "-q", "-F"], temp.File($"ext{partition}"), mount => TestFiles.Write(Path.Combine(mount, "dir"), seed: partition));
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> ReadExt(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("e2fsck", "-fn", device).EnsureSuccess("e2fsck -fn on the restored disk");
        var mount = disk.Mount(device, temp.File($"ext{partition}-restored"));
        var files = DiskBytes.HashDirectory(Path.Combine(mount, "dir"));
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> FillNtfs(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        var files = TestFileSystems.MakeMounted(device, ["mkntfs", "-Q", "-F"], temp.File($"ntfs{partition}"), mount => TestFiles.Write(Path.Combine(mount, "dir"), seed: partition), ntfs3g: true);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> ReadNtfs(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("ntfsfix", "-n", device).EnsureSuccess("ntfsfix -n on the restored disk");
        var mount = disk.Mount(device, temp.File($"ntfs{partition}-restored"), "ntfs-3g");
        var files = DiskBytes.HashDirectory(Path.Combine(mount, "dir"));
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    /// <summary>What the target held before: a 1 MiB pseudo-random pattern repeated, like an old system's bytes.</summary>
    private static void WriteOldContent(string path, long size)
    {
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        for (long at = 0; at < size; at += OldPattern.Length)
        {
            RandomAccess.Write(file, OldPattern.AsSpan(0, (int)Math.Min(OldPattern.Length, size - at)), at);
        }
    }

    private static readonly byte[] OldPattern = MakeOldPattern();

    private static byte[] MakeOldPattern()
    {
        var bytes = new byte[1 << 20];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    private static byte OldByteAt(long offset) => OldPattern[offset % OldPattern.Length];

    private static string Sha(string path, long offset, int length) => DiskBytes.Sha256(DiskBytes.Read(path, offset, length));
}
