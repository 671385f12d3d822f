using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging.Tests;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Capture;

/// <summary>
/// Capture end to end: a loop device with a real GPT, a FAT and an ext4 file system holding
/// files is captured by the published NativeAOT client (out/client/eziopxe-client, ./build.sh
/// client) into the in-process server, through a relay that cuts the connection once mid-way.
/// The stored image's torrent is the one `eziopxe image create` makes of the same disk (same
/// info-hash), a second capture under the same name is refused, and the captured image, served
/// by a server started on the same capture directory, deploys onto a blank loop device whose file systems then hold
/// the same files.
/// </summary>
[Trait("Needs", "root")]
public sealed class CaptureTests
{
    private const long DiskSize = 64L << 20;
    private const string Mac = "52:54:00:c0:ff:ee";

    [Fact]
    public async Task A_captured_disk_equals_image_create_survives_a_dropped_connection_and_deploys_the_same_files()
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var temp = new TempDirectory("capture");
        using var source = TestDisk.Create(temp.File("source.img"), DiskSize,
            "label: gpt\nstart=2048, size=40960, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"efi\"\nstart=43008, type=0FC63DAF-8483-4772-8E79-3D69C47709E4, name=\"root\"\n");
        var files = FillFileSystems(source, temp);
        var disk = source.AttachWhole();

        var captures = temp.File("captures");
        var config = RunningServer.Config(temp.File("data"), "unused", c =>
        {
            c.Remove("Images");
            c.Remove("DefaultJob");
            // A capture job: the machine's progress reports need the report key that comes with a job.
            c["Jobs"] = new JsonObject { ["capture-golden"] = new JsonObject { ["Mode"] = "capture", ["Image"] = "golden" } };
            c["Server"]!["CaptureDirectory"] = captures;
        });
        string infoHash;
        await using (var server = await RunningServer.StartAsync(config, temp.Path))
        {
            // The scan below finds about 14 MB in use: cut the connection after 6 MB have gone up.
            await using var proxy = new DroppingProxy(server.Settings.Server.HttpPort, dropAfterBytes: 6L << 20);
            var run = Tool.Run(RepositoryPaths.ClientBinary,
                [$"--server=127.0.0.1:{proxy.Port}", "--job=capture-golden", $"--disk={disk}", "--after=wait", $"--mac={Mac}"], TimeSpan.FromMinutes(3));
            Assert.True(run.ExitCode == 11, $"capture exited {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
            Assert.True(proxy.Dropped, "the relay never cut the connection: the capture was smaller than expected");
            Assert.Contains("connection to the server lost", run.StandardOutput);
            Assert.Matches(@"the server holds [\d.]+ [KMG]i?B of this capture already", run.StandardOutput);
            Assert.Contains("capture golden complete", server.Log.Text, StringComparison.Ordinal);
            // Resumed, not restarted: little more than the used bytes went up in all.
            // What a capture copies: every byte the scan defines (the extents that travel in the
            // torrent, the ranges that must read as zeros, the GPT header sectors).
            long defined;
            using (var scanned = Imaging.DiskImage.Open(disk))
            {
                defined = Imaging.DiskScanner.Scan(scanned).DefinedExtents.Sum(e => e.Length);
            }
            Assert.True(defined > Torrent.Load(Path.Combine(captures, "golden.torrent")).Info.TotalLength);
            Assert.InRange(proxy.BytesFromClient, defined, defined + (6L << 20) + (1L << 20));
            infoHash = Torrent.Load(Path.Combine(captures, "golden.torrent")).InfoHash.ToHex();
            // The machine reported its capture like a deployment: the status shows it done.
            var machines = await server.Http.GetStringAsync("status");
            Assert.Contains($"\"mac\":\"{Mac}\"", machines, StringComparison.Ordinal);
            Assert.Contains("\"job\":\"capture-golden\"", machines, StringComparison.Ordinal);
            Assert.Contains("\"state\":\"done\"", machines, StringComparison.Ordinal);
            Assert.Contains(infoHash, run.StandardOutput);

            // `image create` of the same disk: the same torrent.
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.True(ImageCommands.Create([disk, "--name", "golden", "--output", temp.File("reference.torrent")], output, error) == 0, error.ToString());
            Assert.Equal(Torrent.Load(temp.File("reference.torrent")).InfoHash.ToHex(), infoHash);
            Assert.Equal(DiskSize, new FileInfo(Path.Combine(captures, "golden.img")).Length);
            Assert.False(File.Exists(Path.Combine(captures, "golden.img.partial")));

            // The name is taken now: a second capture is refused and changes nothing.
            var image = File.GetLastWriteTimeUtc(Path.Combine(captures, "golden.img"));
            var again = Capture(server.Settings.Server.HttpPort, disk, "golden");
            Assert.True(again.ExitCode == 1, $"second capture exited {again.ExitCode}\n{again.StandardOutput}\n{again.StandardError}");
            Assert.Contains("image 'golden' exists", again.StandardError);
            Assert.Equal(image, File.GetLastWriteTimeUtc(Path.Combine(captures, "golden.img")));
        }

        // Deploy the captured image: a server started with the same capture directory serves it
        // without an Images entry; only a job names it.
        var deployConfig = RunningServer.Config(temp.File("data2"), "unused", c =>
        {
            c.Remove("Images");
            c["Server"]!["CaptureDirectory"] = captures;
            c["Jobs"] = new JsonObject { ["golden"] = new JsonObject { ["Image"] = "golden", ["Seed"] = "none", ["After"] = "wait" } };
            c["DefaultJob"] = "golden";
        });
        using var target = TestDisk.Create(temp.File("target.img"), DiskSize, sfdiskScript: null);
        var targetDevice = target.AttachWhole();
        await using (var server = await RunningServer.StartAsync(deployConfig, temp.Path))
        {
            var deploy = Tool.Run(RepositoryPaths.ClientBinary, [$"--server=127.0.0.1:{server.Settings.Server.HttpPort}", "--job=golden", $"--disk={targetDevice}", $"--mac={Mac}"],
                TimeSpan.FromMinutes(3));
            Assert.True(deploy.ExitCode == 11, $"deploy exited {deploy.ExitCode}\n{deploy.StandardOutput}\n{deploy.StandardError}");
            Assert.Contains($"image golden: {Path.Combine(captures, "golden.torrent")}, info-hash {infoHash}", server.Log.Text, StringComparison.Ordinal);
        }
        target.Detach(targetDevice);
        Assert.Equal(files, ReadFiles(target, temp, "restored"));
    }

    [Fact]
    public async Task A_mounted_disk_is_not_captured()
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var temp = new TempDirectory("capture");
        using var disk = TestDisk.Create(temp.File("fs.img"), 16L << 20, sfdiskScript: null);
        var device = disk.AttachWhole();
        Tool.Run("mkfs.ext4", "-q", device).EnsureSuccess("mkfs.ext4");
        var mount = disk.MountForEveryone(device, temp.File("mnt")); // the client must see it mounted
        var config = RunningServer.Config(temp.File("data"), "unused", c =>
        {
            c.Remove("Images");
            c.Remove("Jobs");
            c.Remove("DefaultJob");
            c["Server"]!["CaptureDirectory"] = temp.File("captures");
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);

        var run = Capture(server.Settings.Server.HttpPort, device, "busy");

        Assert.True(run.ExitCode == 1, $"capture exited {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        Assert.Contains($"refusing to capture {device}", run.StandardError);
        Assert.Contains($"is mounted on {mount}", run.StandardError);
        Assert.False(Directory.Exists(temp.File("captures")) && Directory.EnumerateFileSystemEntries(temp.File("captures")).Any());
    }

    private static ToolResult Capture(int port, string disk, string name) => Tool.Run(RepositoryPaths.ClientBinary,
        [$"--server=127.0.0.1:{port}", "--mode=capture", $"--image={name}", $"--disk={disk}", "--after=wait", $"--mac={Mac}"],
        TimeSpan.FromMinutes(3));

    /// <summary>FAT on partition 1, ext4 on partition 2, each with files of random bytes; returns "partition/path" -> SHA-256.</summary>
    private static SortedDictionary<string, string> FillFileSystems(TestDisk disk, TempDirectory temp)
    {
        var efi = disk.AttachPartition(1);
        var root = disk.AttachPartition(2);
        Tool.Run("mkfs.vfat", "-n", "EFI", efi).EnsureSuccess("mkfs.vfat");
        Tool.Run("mkfs.ext4", "-q", "-L", "root", root).EnsureSuccess("mkfs.ext4");
        var random = new Random(15);
        void Write(string directory, string path, int size)
        {
            var bytes = new byte[size];
            random.NextBytes(bytes);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, path))!);
            File.WriteAllBytes(Path.Combine(directory, path), bytes);
        }
        // FAT through mtools (this kernel may have no vfat module), ext4 through a kernel mount.
        var efiFiles = temp.File("efi");
        Write(efiFiles, "EFI/BOOT/BOOTX64.EFI", 1 << 20);
        Write(efiFiles, "loader.conf", 300);
        Tool.Run("mcopy", "-s", "-i", efi, Path.Combine(efiFiles, "EFI"), Path.Combine(efiFiles, "loader.conf"), "::/").EnsureSuccess("mcopy onto FAT");
        var rootMount = disk.Mount(root, temp.File("root"));
        Write(rootMount, "etc/hostname", 12);
        Write(rootMount, "usr/lib/big.bin", 8 << 20);
        Write(rootMount, "home/lab/notes.txt", 70_000);
        disk.Unmount(rootMount);
        disk.Detach(efi);
        disk.Detach(root);
        return ReadFiles(disk, temp, "source");
    }

    private static SortedDictionary<string, string> ReadFiles(TestDisk disk, TempDirectory temp, string label)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var partition in new[] { 1, 2 })
        {
            var device = disk.AttachPartition(partition);
            var directory = temp.File($"{label}-{partition}");
            if (partition == 1)
            {
                Directory.CreateDirectory(directory);
                Tool.Run("mcopy", "-s", "-i", device, "::/*", directory).EnsureSuccess("mcopy from FAT");
            }
            else
            {
                directory = disk.Mount(device, directory);
            }
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.Contains("lost+found", StringComparison.Ordinal)))
            {
                result[$"{partition}/{Path.GetRelativePath(directory, file)}"] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
            }
            if (partition == 2)
            {
                disk.Unmount(directory);
            }
            disk.Detach(device);
        }
        return result;
    }
}
