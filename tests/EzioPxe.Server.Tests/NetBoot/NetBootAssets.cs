using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// A TFTP root as an installation would have it: the boot loaders gathered by pxe/gather.sh, the
/// host's Debian kernel as "vmlinuz" and a busybox initramfs whose /init prints its command line.
/// Built once for all network-boot tests.
/// </summary>
public sealed class NetBootAssets : IDisposable
{
    private readonly TempDirectory _directory = new("eziopxe-bootroot");

    public NetBootAssets()
    {
        Root = _directory.File("root");
        Tool.Run("bash", [RepositoryPaths.Of("pxe/gather.sh"), Root], TimeSpan.FromMinutes(1)).EnsureSuccess("pxe/gather.sh");
        var kernel = Directory.GetFiles("/boot", "vmlinuz-*").Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new FileNotFoundException("no /boot/vmlinuz-*; install linux-image-amd64");
        File.Copy(kernel, Path.Combine(Root, "vmlinuz"));
        BusyboxInitramfs.Build(Path.Combine(Root, "initrd.img"));
    }

    public string Root { get; }

    public string Scratch(string name) => _directory.File(name);

    public void Dispose() => _directory.Dispose();
}
