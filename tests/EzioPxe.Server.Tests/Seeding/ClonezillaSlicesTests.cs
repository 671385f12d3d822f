using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging.Tests;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>
/// A Clonezilla BitTorrent image, made here the way Clonezilla makes one: partclone.ext4 -T
/// (--btfiles) writes the used blocks of an ext4 loop device as slices named by their partition
/// offset into btzone/IMAGE/sda1/ with its torrent.info, and the torrent is made from that
/// torrent.info with libtorrent as Clonezilla's gen-torrent-from-ptcl does (16 MiB pieces, the
/// hashes partclone computed, a tracker URL of another server). The real server is given the
/// slices directory as an Image, seeds it, and the published NativeAOT client writes it into
/// partition 2 of a loop device (job option Partition) over old bytes: e2fsck is clean, every
/// file has its checksum, partition 1 is untouched.
/// </summary>
[Trait("Needs", "root")]
public sealed class ClonezillaSlicesTests
{
    private const string Mac = "52:54:00:c2:00:01";

    [Fact]
    public async Task A_clonezilla_slices_directory_is_seeded_and_deploys_into_a_partition()
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var temp = new TempDirectory("clonezilla");

        // The golden partition: ext4 with files, on a loop device of its own.
        using var golden = TestDisk.Create(temp.File("golden-part.img"), 40L << 20, sfdiskScript: null);
        var goldenDevice = golden.AttachWhole();
        Tool.Run("mkfs.ext4", "-q", "-L", "cz", goldenDevice).EnsureSuccess("mkfs.ext4");
        var files = WriteFiles(golden.Mount(goldenDevice, temp.File("golden-root")));
        golden.Unmount(temp.File("golden-root"));
        ExtFreeCounts.Settle(goldenDevice); // partclone refuses a stale free-block total

        // Clonezilla's btzone layout: btzone/IMAGE/sda1/ (the slices), btzone/IMAGE/sda1.torrent.info, btzone/IMAGE/sda1.torrent.
        var image = Path.Combine(temp.File("btzone"), "lab-2026");
        Directory.CreateDirectory(image);
        var slices = Path.Combine(image, "sda1");
        Tool.Run("partclone.ext4", ["-c", "-T", "-s", goldenDevice, "-O", slices], TimeSpan.FromMinutes(2)).EnsureSuccess("partclone.ext4 -T");
        golden.Detach(goldenDevice);
        File.Move(Path.Combine(slices, "torrent.info"), slices + ".torrent.info");
        Assert.True(Directory.GetFiles(slices).Length > 3, "partclone -T wrote too few slices");
        Tool.Run("/usr/bin/python3", ["-c", GenTorrentFromPartclone, slices + ".torrent.info", slices + ".torrent", "sda1"], TimeSpan.FromMinutes(1))
            .EnsureSuccess("libtorrent torrent from torrent.info (python3-libtorrent)");
        var torrent = Torrent.Load(slices + ".torrent");
        Assert.Equal(16 << 20, torrent.Info.PieceLength);

        // The target: partition 1 and old random bytes in partition 2, which is larger than the golden.
        using var target = TestDisk.Create(temp.File("target.img"), 64L << 20, "label: dos\nstart=2048, size=8192, type=83\nstart=10240, type=83\n");
        var random = new Random(7);
        var old = new byte[64 << 20];
        random.NextBytes(old);
        var (p2Start, _) = target.Partition(2);
        using (var stream = new FileStream(target.ImagePath, FileMode.Open))
        {
            stream.Position = 1 << 20;
            stream.Write(old, 1 << 20, (int)(stream.Length - (1 << 20)));
        }
        var before = File.ReadAllBytes(target.ImagePath);
        var disk = target.AttachWithPartitions();
        Tool.Run("partx", "-a", disk);
        Assert.True(File.Exists(disk + "p2"), $"{disk}p2 is missing: the kernel did not add the partitions");

        var config = RunningServer.Config(temp.File("data"), "unused", c =>
        {
            // Only Source: the torrent is found beside the slices directory, as Clonezilla keeps it.
            c["Images"] = new JsonObject { ["lab-sda1"] = new JsonObject { ["Source"] = slices } };
            c["Jobs"] = new JsonObject { ["cz"] = new JsonObject { ["Image"] = "lab-sda1", ["Partition"] = "2", ["Seed"] = "none", ["After"] = "wait" } };
            c["DefaultJob"] = "cz";
        });
        await using (var server = await RunningServer.StartAsync(config, temp.Path))
        {
            Assert.Contains($"Clonezilla slices {slices}, torrent {slices}.torrent, info-hash {torrent.InfoHash.ToHex()}", server.Log.Text, StringComparison.Ordinal);
            var run = Tool.Run(RepositoryPaths.ClientBinary, [$"--server=127.0.0.1:{server.Settings.Server.HttpPort}", "--job=cz", $"--disk={disk}", $"--mac={Mac}"], TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 11, $"deploy exited {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{server.Log.Text}");
            Assert.Contains($"target disk {disk}p2", run.StandardOutput, StringComparison.Ordinal);
        }

        // Partition 2 holds the golden's file system with every file; outside it not a byte changed.
        Tool.Run("e2fsck", "-fn", disk + "p2").EnsureSuccess("e2fsck -fn on the deployed partition");
        var restored = target.Mount(disk + "p2", temp.File("restored"));
        Assert.Equal(files, ReadFiles(restored));
        target.Unmount(restored);
        target.Detach(disk);
        var after = File.ReadAllBytes(target.ImagePath);
        Assert.True(before.AsSpan(0, (int)p2Start).SequenceEqual(after.AsSpan(0, (int)p2Start)), "bytes before partition 2 changed");
    }

    /// <summary>
    /// What Clonezilla's gen-torrent-from-ptcl does with partclone's torrent.info: one torrent
    /// named after the partition, a file per offset/length pair, 16 MiB pieces whose hashes are
    /// partclone's sha1 lines (libtorrent 2 needs v1_only for a v1 torrent from given hashes).
    /// </summary>
    private const string GenTorrentFromPartclone = """
        import libtorrent as lt, re, sys
        info = open(sys.argv[1]).read()
        files = lt.file_storage()
        for offset, length in zip(re.findall(r'^offset: (\S+)$', info, re.M), re.findall(r'^length: (\S+)$', info, re.M)):
            files.add_file(sys.argv[3] + "/" + offset, int(length, 16))
        torrent = lt.create_torrent(files, 16 * 1024 * 1024, flags=lt.create_torrent.v1_only)
        torrent.set_creator("Clonezilla")
        torrent.add_tracker("http://192.168.1.1:6969/announce")
        for index, sha1 in enumerate(re.findall(r'^sha1: (\S+)$', info, re.M)):
            torrent.set_hash(index, bytes.fromhex(sha1))
        open(sys.argv[2], "wb").write(lt.bencode(torrent.generate()))
        """;

    private static SortedDictionary<string, string> WriteFiles(string root)
    {
        var random = new Random(31);
        foreach (var (path, size) in new[] { ("etc/hostname", 9), ("usr/lib/big.bin", 9 << 20), ("home/lab/notes.txt", 70_000), ("var/log/empty", 0) })
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllBytes(Path.Combine(root, path), bytes);
        }
        return ReadFiles(root);
    }

    private static SortedDictionary<string, string> ReadFiles(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.Contains("lost+found", StringComparison.Ordinal)))
        {
            result[Path.GetRelativePath(root, file)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }
        return result;
    }
}
