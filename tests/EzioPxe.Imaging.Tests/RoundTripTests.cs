using System.Security.Cryptography;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Cli;
using EzioPxe.Imaging;
using EzioPxe.Imaging.FileSystems;
using EzioPxe.Imaging.Torrent;
using EzioPxe.TestSupport;
using Xunit.Abstractions;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// `image create` on a disk partitioned and filled by the real tools, then only the torrent's
/// files, each placed by its name alone, written onto a zeroed disk of the same size: the
/// partition table must read back the same, every filesystem must pass its fsck and every file
/// must have its checksum.
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
        WriteRandom(source.ImagePath, unknownStart + (2 << 20), 1 << 20, seed: 5);
        WriteRandom(source.ImagePath, 64 << 10, 8 << 10, seed: 6); // A boot loader in the gap before partition 1.
        WriteRandom(source.ImagePath, 200L << 20, 4096, seed: 7); // Unpartitioned: dropped.

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
        Assert.Equal(Sha(source.ImagePath, size - (1 << 20), 1 << 20), Sha(target, size - (1 << 20), 1 << 20)); // Backup GPT.
        Assert.Equal(new byte[4096], Read(target, 200L << 20, 4096));
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
        using (var file = File.Create(target))
        {
            file.SetLength(diskSize);
        }
        using var sourceFile = File.OpenHandle(source.ImagePath);
        using var targetFile = File.OpenHandle(target, FileMode.Open, FileAccess.Write);
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
        Tool.Run("mkfs.vfat", "-F", bits, "-s", sectorsPerCluster, device).EnsureSuccess("mkfs.vfat");
        var directory = temp.File($"fat{partition}");
        var files = TestFiles.Write(directory, seed: partition, count: bits == "12" ? 5 : 6);
        Tool.Run("mmd", "-i", device, "::/dir").EnsureSuccess("mmd");
        foreach (var name in files.Keys)
        {
            Tool.Run("mcopy", "-i", device, Path.Combine(directory, name), "::/dir/" + name).EnsureSuccess("mcopy");
        }
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
        return HashDirectory(directory);
    }

    private static Dictionary<string, string> FillExt(TestDisk disk, int partition, string mkfs, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run(mkfs, "-q", "-F", device).EnsureSuccess(mkfs);
        var mount = disk.Mount(device, temp.File($"ext{partition}"));
        var files = TestFiles.Write(Path.Combine(mount, "dir"), seed: partition);
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> ReadExt(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("e2fsck", "-fn", device).EnsureSuccess("e2fsck -fn on the restored disk");
        var mount = disk.Mount(device, temp.File($"ext{partition}-restored"));
        var files = HashDirectory(Path.Combine(mount, "dir"));
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> FillNtfs(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("mkntfs", "-Q", "-F", device).EnsureSuccess("mkntfs");
        var mount = disk.Mount(device, temp.File($"ntfs{partition}"), "ntfs-3g");
        var files = TestFiles.Write(Path.Combine(mount, "dir"), seed: partition);
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> ReadNtfs(TestDisk disk, int partition, TempDirectory temp)
    {
        var device = disk.AttachPartition(partition);
        Tool.Run("ntfsfix", "-n", device).EnsureSuccess("ntfsfix -n on the restored disk");
        var mount = disk.Mount(device, temp.File($"ntfs{partition}-restored"), "ntfs-3g");
        var files = HashDirectory(Path.Combine(mount, "dir"));
        disk.Unmount(mount);
        disk.Detach(device);
        return files;
    }

    private static Dictionary<string, string> HashDirectory(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => TestFiles.Sha256(File.ReadAllBytes(f)));

    internal static void WriteRandom(string path, long offset, int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(file, data, offset);
    }

    private static byte[] Read(string path, long offset, int length)
    {
        var data = new byte[length];
        using var file = File.OpenHandle(path);
        RandomAccess.Read(file, data, offset);
        return data;
    }

    private static string Sha(string path, long offset, int length) => TestFiles.Sha256(Read(path, offset, length));
}
