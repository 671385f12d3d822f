using System.Text.RegularExpressions;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>What initramfs/build.sh puts into out/boot, read back with zstd and cpio.</summary>
[Trait("Needs", "root")]
[Collection(InitramfsCollection.Name)]
public sealed class InitramfsBuildTests(BootImage image)
{
    private string[] ArchiveNames() =>
        Tool.Shell($"zstd -dc '{image.InitramfsPath}' | cpio -it --quiet")
            .EnsureSuccess("listing the initramfs").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private string ArchiveFile(string name) =>
        Tool.Shell($"zstd -dc '{image.InitramfsPath}' | cpio -i --to-stdout --quiet '{name}'")
            .EnsureSuccess("extracting " + name).StandardOutput;

    [Fact]
    public void Archive_HoldsTheInitBusyboxAppletsAndTheClientWithItsLibraries()
    {
        var names = ArchiveNames().ToHashSet(StringComparer.Ordinal);

        Assert.Contains("init", names);
        Assert.Contains("bin/busybox", names);
        // Applets the init relies on, at the paths busybox itself lists.
        foreach (var applet in new[] { "bin/sh", "bin/cttyhack", "sbin/modprobe", "sbin/udhcpc", "usr/bin/setsid" })
        {
            Assert.Contains(applet, names);
        }
        Assert.Contains("etc/eziopxe/udhcpc.script", names);
        Assert.Contains("bin/eziopxe-client", names);
        var libraries = Tool.Run("ldd", image.ClientPath).EnsureSuccess("ldd").StandardOutput;
        var needed = Regex.Matches(libraries, @"(?:=> )?(/\S+) \(0x").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(needed);
        foreach (var library in needed)
        {
            Assert.Contains(library.TrimStart('/'), names);
        }

        // The kernel opens /dev/console as init's stdio before /dev is mounted.
        var console = Tool.Shell($"zstd -dc '{image.InitramfsPath}' | cpio -itv --quiet dev/console").StandardOutput;
        Assert.StartsWith("c", console, StringComparison.Ordinal);
    }

    [Fact]
    public void Archive_HoldsEveryListedDriver_WithDepmodIndexes()
    {
        var version = image.Info.KernelVersion;
        var names = ArchiveNames();
        var modules = names
            .Where(n => n.StartsWith($"lib/modules/{version}/kernel/", StringComparison.Ordinal) && n.EndsWith(".ko", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n).Replace('-', '_'))
            .ToHashSet(StringComparer.Ordinal);
        var builtin = image.Info["builtin"].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var listed = File.ReadAllLines(RepositoryPaths.Of("initramfs/modules.txt"))
            .Select(l => l.Split('#')[0].Trim())
            .Where(l => l.Length > 0)
            .ToList();
        Assert.Contains("e1000e", listed);
        foreach (var module in listed)
        {
            Assert.True(modules.Contains(module) || builtin.Contains(module), $"{module} is neither in the archive nor built in");
        }

        // depmod ran over exactly this set: dependencies resolve and device aliases point at our drivers.
        var dep = ArchiveFile($"lib/modules/{version}/modules.dep");
        Assert.Matches(@"(?m)^kernel/drivers/ata/ahci\.ko:.*kernel/drivers/ata/libahci\.ko", dep);
        Assert.Matches(@"(?m)^kernel/drivers/net/ethernet/intel/igb/igb\.ko:.*dca\.ko", dep);
        var aliases = ArchiveFile($"lib/modules/{version}/modules.alias");
        Assert.Matches(@"(?m)^alias virtio:d00000001v\* virtio_net$", aliases);
        Assert.Matches(@"(?m)^alias pci:v00008086d0000100Esv\*sd\*bc\*sc\*i\* e1000$", aliases);
    }

    [Fact]
    public void Kernel_IsTheDebianPackagesKernelUnchanged()
    {
        var installed = File.ReadAllBytes($"/boot/vmlinuz-{image.Info.KernelVersion}");
        Assert.Equal(installed, File.ReadAllBytes(image.KernelPath));
    }

    [Fact]
    public void Build_IsReproducible_ForTheSameInputsAndDate()
    {
        using var temp = new TempDirectory("eziopxe-initramfs-again");
        var epoch = image.Info["source-date-epoch"];
        Tool.Shell($"SOURCE_DATE_EPOCH={epoch} bash '{RepositoryPaths.Of("initramfs/build.sh")}' '{temp.Path}'")
            .EnsureSuccess("second initramfs build");

        Assert.True(
            File.ReadAllBytes(image.InitramfsPath).AsSpan().SequenceEqual(File.ReadAllBytes(temp.File("initramfs.img"))),
            "two builds from the same inputs differ");
    }

    [Fact]
    public void Build_WithoutTheClient_SaysHowToBuildIt()
    {
        using var temp = new TempDirectory("eziopxe-initramfs-noclient");
        var result = Tool.Shell($"EZIOPXE_CLIENT=/nonexistent/eziopxe-client bash '{RepositoryPaths.Of("initramfs/build.sh")}' '{temp.Path}'");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("eziopxe-client not found at /nonexistent/eziopxe-client", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("./build.sh client", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("initramfs.img")));
    }

    [Fact]
    public void Build_WithoutTheKernel_NamesTheMissingKernel()
    {
        using var temp = new TempDirectory("eziopxe-initramfs-nokernel");
        var result = Tool.Shell($"KERNEL_VERSION=0.0.0-missing bash '{RepositoryPaths.Of("initramfs/build.sh")}' '{temp.Path}'");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("kernel /boot/vmlinuz-0.0.0-missing not found", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("vmlinuz")));
    }
}
