using System.Text.Json.Nodes;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging.Tests;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Capture;

/// <summary>
/// A QEMU machine (TCG) boots our kernel and initramfs (out/boot, ./build.sh initramfs) with
/// <c>ezio.job=capture-pc</c>, a server job with <c>Mode: capture</c>: the init brings up the network, the client finds the virtio disk by
/// itself (<c>ezio.disk</c> left at auto), captures it into the in-process server and powers the
/// machine off. QEMU's user network is closed (<c>restrict=on</c>): its one way out is a
/// forward of 10.0.2.100:8080 to the server on this host's loopback.
/// </summary>
[Trait("Needs", "root")]
public sealed class QemuCaptureTests
{
    [Fact]
    public async Task A_machine_booted_with_a_capture_job_sends_its_disk_and_powers_off()
    {
        var kernel = RepositoryPaths.Of("out/boot/vmlinuz");
        var initramfs = RepositoryPaths.Of("out/boot/initramfs.img");
        Assert.True(File.Exists(kernel) && File.Exists(initramfs), "out/boot is missing: run ./build.sh initramfs first");
        using var temp = new TempDirectory("qemu-capture");
        using (var disk = TestDisk.Create(temp.File("pc.img"), 48L << 20,
            "label: gpt\nstart=2048, size=20480, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=22528, type=0FC63DAF-8483-4772-8E79-3D69C47709E4\n"))
        {
            Tool.Run("mkfs.vfat", "-n", "EFI", disk.AttachPartition(1)).EnsureSuccess("mkfs.vfat");
            var root = disk.AttachPartition(2);
            Tool.Run("mkfs.ext4", "-q", "-L", "pc", root).EnsureSuccess("mkfs.ext4");
            var mount = disk.Mount(root, temp.File("root"));
            var data = new byte[3 << 20];
            new Random(7).NextBytes(data);
            await File.WriteAllBytesAsync(Path.Combine(mount, "data.bin"), data);
            disk.Unmount(mount);
        }

        var captures = temp.File("captures");
        var config = RunningServer.Config(temp.File("data"), "unused", c =>
        {
            c.Remove("Images");
            c.Remove("DefaultJob");
            c["Server"]!["CaptureDirectory"] = captures;
            // The job, not the kernel command line, says capture: as a boot menu entry would.
            c["Jobs"] = new JsonObject { ["capture-pc"] = new JsonObject { ["Mode"] = "capture", ["Image"] = "pc", ["After"] = "poweroff" } };
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        var port = server.Settings.Server.HttpPort;
        using var qemu = BackgroundProcess.Start("qemu-system-x86_64",
        [
            "-accel", "tcg", "-m", "512", "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", kernel, "-initrd", initramfs,
            "-append", "console=ttyS0 panic=-1 ezio.server=10.0.2.100:8080 ezio.job=capture-pc",
            "-drive", $"file={temp.File("pc.img")},format=raw,if=virtio",
            "-netdev", $"user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:8080-tcp:127.0.0.1:{port}",
            "-device", "virtio-net-pci,netdev=n0",
        ]);
        Assert.True(qemu.WaitForExit(TimeSpan.FromMinutes(6)), $"the machine did not power off within 6 minutes:\n{qemu.Output}");
        Assert.Contains("capture pc complete", server.Log.Text, StringComparison.Ordinal);
        Assert.Contains("image 'pc' stored on the server", qemu.Output, StringComparison.Ordinal);

        var reference = temp.File("reference.torrent");
        var error = new StringWriter();
        Assert.True(ImageCommands.Create([temp.File("pc.img"), "--name", "pc", "--output", reference], new StringWriter(), error) == 0, error.ToString());
        Assert.Equal(Torrent.Load(reference).InfoHash, Torrent.Load(Path.Combine(captures, "pc.torrent")).InfoHash);
    }
}
