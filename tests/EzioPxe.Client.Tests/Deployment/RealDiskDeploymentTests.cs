using System.Globalization;
using EzioPxe.Client.Tests.Disk;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;
using Xunit.Abstractions;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// The published client deploys a real golden disk (GPT, BIOS boot partition, FAT ESP, ext4, an
/// unknown partition) from our seeder onto loop devices that held something else before: random
/// bytes, an older MBR system with a boot loader after the MBR, and a disk 1 GiB larger. Each
/// result must verify with sgdisk, carry the golden's partition table, pass fsck and hold every
/// file; a second run finds every piece on the disk and moves nothing.
/// </summary>
[Trait("Needs", "root")]
public sealed class RealDiskDeploymentTests(GoldenDiskFixture golden, ITestOutputHelper output) : IClassFixture<GoldenDiskFixture>
{
    private const long OneGiB = 1L << 30;

    [Theory]
    [InlineData("random")]
    [InlineData("old-mbr-system")]
    [InlineData("larger")]
    public async Task The_deployed_disk_is_the_golden_whatever_the_target_held(string kind)
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var area = new DiskTestArea();
        using var dir = new TempDirectory();
        var trackerPort = FreePort.Tcp();
        var image = GoldenImage.Create(golden.Disk.ImagePath, dir.Path, Opentracker.UrlFor(trackerPort));
        using var tracker = Opentracker.Start(dir.Path, [image.Torrent.InfoHash], trackerPort);
        await tracker.WaitForAsync(image.Torrent.InfoHash);
        using var web = new TorrentWebServer(image.Bytes);
        var backing = MakeTarget(kind, area.Path);
        var loop = area.AttachLoop(backing);
        await using var seeder = await OwnSeeder.StartAsync(image.Torrent, dir.Path);
        var pieces = image.Torrent.Info.PieceCount;

        var first = ClientDeploymentTests.RunClient(web, loop);
        output.WriteLine(first.StandardOutput + first.StandardError);
        Assert.True(first.ExitCode == 11, first.StandardOutput + first.StandardError);
        Assert.Contains($"ranges that must read as zeros (locally: BLKZEROOUT)", first.StandardOutput, StringComparison.Ordinal);
        if (kind == "random")
        {
            Assert.Contains($"existing data checked, 0 of {pieces} pieces present", first.StandardError, StringComparison.Ordinal);
        }
        if (kind == "larger")
        {
            Assert.Contains("larger than the image: backup GPT moved to its end", first.StandardOutput, StringComparison.Ordinal);
            var unpartitioned = GoldenDisk.Size - golden.Disk.Partition(GoldenDisk.Unknown).Start - golden.Disk.Partition(GoldenDisk.Unknown).Length - 34 * 512 + OneGiB;
            Assert.Contains($"{Client.Disk.ByteSize.Format(unpartitioned)} after the last partition is left unpartitioned", first.StandardOutput, StringComparison.Ordinal);
        }
        Verify(backing, kind == "larger");
        var uploaded = seeder.Uploaded;

        // Re-imaging the same disk: the zeroing and the fitted GPT leave every piece intact.
        var second = ClientDeploymentTests.RunClient(web, loop);
        output.WriteLine(second.StandardOutput + second.StandardError);
        Assert.True(second.ExitCode == 11, second.StandardOutput + second.StandardError);
        Assert.Contains($"existing data checked, {pieces} of {pieces} pieces present", second.StandardError, StringComparison.Ordinal);
        Assert.InRange(seeder.Uploaded - uploaded, 0, image.Torrent.Info.PieceLength);
        Verify(backing, kind == "larger");
    }

    private static string MakeTarget(string kind, string directory) => MakeTarget(kind, directory, GoldenDisk.Size);

    /// <summary>
    /// A target for an image of <paramref name="goldenSize"/> bytes holding old content: random
    /// bytes; an MBR system (boot code, a boot loader in the gap, ext4); or random bytes on a
    /// disk 1 GiB larger (sparse in between).
    /// </summary>
    internal static string MakeTarget(string kind, string directory, long goldenSize)
    {
        var path = Path.Combine(directory, "target.img");
        var size = kind == "larger" ? goldenSize + OneGiB : goldenSize;
        using (var file = File.Create(path))
        {
            file.SetLength(size);
        }
        switch (kind)
        {
            case "old-mbr-system":
                Tool.Run("sfdisk", ["-q", "--no-reread", "--no-tell-kernel", path], TimeSpan.FromMinutes(1), standardInput: "label: dos\n,40M,83,*\n,,83\n").EnsureSuccess("sfdisk");
                DiskBytes.WriteRandom(path, 0, 440, 50); // MBR boot code
                DiskBytes.WriteRandom(path, 512, 60 << 10, 51); // a boot loader's core image after the MBR
                var old = Tool.Run("losetup", ["--find", "--show", "--offset", (1L << 20).ToString(CultureInfo.InvariantCulture), "--sizelimit", (40L << 20).ToString(CultureInfo.InvariantCulture), path], TimeSpan.FromMinutes(1))
                    .EnsureSuccess("losetup").StandardOutput.Trim();
                try
                {
                    Tool.Run("mkfs.ext4", "-q", "-F", "-L", "old", old).EnsureSuccess("mkfs.ext4");
                }
                finally
                {
                    GoldenDisk.Detach(old);
                }
                break;
            default:
                for (var at = 0L; at < goldenSize; at += 8 << 20)
                {
                    DiskBytes.WriteRandom(path, at, (int)Math.Min(8 << 20, goldenSize - at), (int)(at >> 20));
                }
                DiskBytes.WriteRandom(path, size - (1 << 20), 1 << 20, 99);
                break;
        }
        return path;
    }

    private void Verify(string target, bool larger)
    {
        var goldenPath = golden.Disk.ImagePath;
        var verify = Tool.Run("sgdisk", "-v", target);
        Assert.True(verify.ExitCode == 0 && verify.StandardOutput.Contains("No problems found", StringComparison.Ordinal), verify.StandardOutput + verify.StandardError);

        // The partition table as sfdisk dumps it: the same but for the last usable LBA of a larger disk.
        var goldenTable = Dump(goldenPath);
        var targetTable = Dump(target);
        var size = new FileInfo(target).Length;
        if (larger)
        {
            Assert.Contains($"last-lba: {size / 512 - 34}", targetTable);
            Assert.Equal(goldenTable.Where(l => !l.StartsWith("last-lba:", StringComparison.Ordinal)), targetTable.Where(l => !l.StartsWith("last-lba:", StringComparison.Ordinal)));
        }
        else
        {
            Assert.Equal(goldenTable, targetTable);
        }

        // Byte-identical: protective MBR, entries and the gap before partition 1 (and the
        // primary header unless it was fitted to a larger disk), the BIOS boot partition with its
        // zero runs, the unknown partition, and the backup entry array and header.
        Assert.Equal(Sha(goldenPath, 0, 512), Sha(target, 0, 512));
        Assert.Equal(Sha(goldenPath, larger ? 1024 : 512, (1 << 20) - (larger ? 1024 : 512)), Sha(target, larger ? 1024 : 512, (1 << 20) - (larger ? 1024 : 512)));
        foreach (var number in new[] { GoldenDisk.BiosBoot, GoldenDisk.Unknown })
        {
            var (start, length) = golden.Disk.Partition(number);
            Assert.Equal(Sha(goldenPath, start, (int)length), Sha(target, start, (int)length));
        }
        var tail = larger ? 32 * 512 : 33 * 512;
        Assert.Equal(Sha(goldenPath, GoldenDisk.Size - 33 * 512, tail), Sha(target, size - 33 * 512, tail));

        var esp = golden.Disk.Loop(target, GoldenDisk.Esp, readOnly: true);
        var copy = Path.Combine(Path.GetDirectoryName(target)!, "esp-out");
        try
        {
            Tool.Run("fsck.vfat", "-n", esp).EnsureSuccess("fsck.vfat -n");
            foreach (var (name, sha) in golden.Disk.EspFiles)
            {
                Tool.Run("mcopy", "-o", "-i", esp, "::/" + name, copy).EnsureSuccess("mcopy");
                Assert.Equal(sha, DiskBytes.Sha256(File.ReadAllBytes(copy)));
            }
        }
        finally
        {
            GoldenDisk.Detach(esp);
        }

        var root = golden.Disk.Loop(target, GoldenDisk.Root, readOnly: true);
        var mount = Path.Combine(Path.GetDirectoryName(target)!, "root-out");
        Directory.CreateDirectory(mount);
        try
        {
            Tool.Run("e2fsck", "-fn", root).EnsureSuccess("e2fsck -fn");
            Tool.Run("mount", "-o", "ro,noload", root, mount).EnsureSuccess("mount");
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
        finally
        {
            GoldenDisk.Detach(root);
        }
    }

    private static List<string> Dump(string path) =>
        Tool.Run("sfdisk", "-d", path).EnsureSuccess("sfdisk -d").StandardOutput.Replace(path, "DISK", StringComparison.Ordinal).Split('\n').ToList();

    private static string Sha(string path, long offset, int length) => DiskBytes.Sha256(DiskBytes.Read(path, offset, length));
}
